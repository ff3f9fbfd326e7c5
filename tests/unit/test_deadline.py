"""``realtime.deadline``: a network call's bound is a ``TimeoutError`` however the library under
it reports the cancellation (asyncua's ``wait_for2`` raises a ``CancelledError`` subclass when
the answer and the timeout meet), while a cancellation from outside still cancels."""

from __future__ import annotations

import asyncio

import pytest

from crane_ctrl.realtime import deadline


class CancelledWithResult(asyncio.CancelledError):
    """What ``wait_for2`` raises when its future finished just as it was cancelled."""


async def _answer_meets_the_cancel() -> None:
    try:
        await asyncio.Event().wait()
    except asyncio.CancelledError as exc:
        raise CancelledWithResult("the answer arrived in the same instant") from exc


async def test_a_cancelled_error_subclass_at_expiry_is_a_timeout() -> None:
    with pytest.raises(TimeoutError, match=r"no answer within 0\.01 s"):
        async with deadline(0.01):
            await _answer_meets_the_cancel()
    # plain asyncio.timeout lets it escape as a cancellation: the defect this guards against
    with pytest.raises(CancelledWithResult):
        async with asyncio.timeout(0.01):
            await _answer_meets_the_cancel()
    assert asyncio.current_task().cancelling() == 0  # type: ignore[union-attr]


async def test_an_ordinary_expiry_is_a_timeout_and_a_quick_answer_passes() -> None:
    with pytest.raises(TimeoutError):
        async with deadline(0.01):
            await asyncio.Event().wait()
    async with deadline(1.0):
        answer = asyncio.get_running_loop().create_future()
        answer.set_result("at once")
        assert await answer == "at once"


async def test_a_cancel_from_outside_still_cancels() -> None:
    started = asyncio.Event()

    async def call() -> None:
        async with deadline(10.0):
            started.set()
            await _answer_meets_the_cancel()

    task = asyncio.create_task(call())
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert task.cancelled()
