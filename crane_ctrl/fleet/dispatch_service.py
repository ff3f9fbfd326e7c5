"""The dispatcher on the broker: TOS orders in, jobs to the cranes of a block, events out.

::

    async with DispatchService(config, clock) as service:   # BrokerUnreachable if not there
        await service.stopped()                             # until cancelled

One task reads the orders topic (``crane-ctrl/tos/v1/BLOCK/orders``, QoS 1) onto a queue; one
owns the :class:`~crane_ctrl.fleet.dispatcher.Dispatcher` and wakes on an order, on a message
from a crane (its :class:`~crane_ctrl.fleet.primary_host.PrimaryHost` keeps the block's
:class:`FleetView`), or every :data:`TICK_S`. Each round it reads the orders, observes the
fleet, assigns, stores what changed (:class:`OrderStore`), publishes the events (QoS 1) and
carries out the stations' commands one by one, each with a deadline, through an
:class:`OperatorClient` per crane logged in as the dispatcher's user. The PIN is never logged;
a login refused (a wrong PIN) is not tried again at that crane for :data:`LOGIN_RETRY_S`, so
the dispatcher cannot spend the user's wrong-PIN allowance.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Self

import aiomqtt

from crane_ctrl.clock import Clock
from crane_ctrl.errors import LoginRefused, SessionRefused
from crane_ctrl.fleet.broker import Broker, Credentials
from crane_ctrl.fleet.dispatcher import Action, Dispatcher, Event
from crane_ctrl.fleet.fleet_view import FleetView
from crane_ctrl.fleet.mqtt_client import mqtt_client
from crane_ctrl.fleet.operator_client import OperatorClient
from crane_ctrl.fleet.order_store import OrderStore
from crane_ctrl.fleet.primary_host import PrimaryHost, PrimaryHostConfig
from crane_ctrl.fleet.session import KEEPALIVE_S
from crane_ctrl.fleet.topics import NodeTopics, check_id
from crane_ctrl.fleet.tos_orders import event_json, events_topic, orders_topic, read_message
from crane_ctrl.operation.machine import Role
from crane_ctrl.site import SiteLayout

__all__ = ["LOGIN_RETRY_S", "TICK_S", "DispatchConfig", "DispatchService"]

log = logging.getLogger(__name__)

TICK_S = 0.5
"""The dispatcher looks at the fleet at least this often (a crane's message wakes it at once)."""
LOGIN_RETRY_S = 60.0
"""After a refused login at a crane, the dispatcher leaves it this long (the station's login
guard makes each wrong PIN cost more; a wrong PIN file must not lock the user out)."""
NETWORK_WITHIN_S = 5.0
"""Deadline of each network call and each station's answer."""


@dataclass(frozen=True, slots=True)
class DispatchConfig:
    broker: Broker
    block: str
    user: str
    pin: str = field(repr=False)
    store: Path
    site: SiteLayout | None = None
    """The block's site: slots checked on intake, the nearest crane by gantry position."""
    credentials: Credentials | None = None
    within_s: float = NETWORK_WITHIN_S
    tick_s: float = TICK_S

    def __post_init__(self) -> None:
        check_id(self.block, "the block (--block)")

    @property
    def host_id(self) -> str:
        """Its Sparkplug host id, and the journal's source at the stations (``ops:HOST``)."""
        return f"dispatch-{self.block}"


class DispatchService:
    """The block's dispatcher, owned by ``async with``."""

    def __init__(self, config: DispatchConfig, clock: Clock) -> None:
        self.config, self._clock = config, clock
        self._store = OrderStore(config.store)
        self.dispatcher = Dispatcher(config.block, self._store.load(), config.site)
        self._inbox: asyncio.Queue[bytes] = asyncio.Queue()
        self._wake = asyncio.Event()
        self._stack = AsyncExitStack()
        self._clients: dict[str, OperatorClient] = {}
        self._refused_until: dict[str, float] = {}
        self._tasks: asyncio.TaskGroup | None = None
        self._own: list[asyncio.Task[None]] = []
        self._host: PrimaryHost | None = None
        self._tos: aiomqtt.Client | None = None

    async def __aenter__(self) -> Self:
        c = self.config
        try:
            host_config = PrimaryHostConfig(c.broker, c.host_id, c.block, c.credentials)
            host = PrimaryHost(host_config, self._clock, on_message=self._wake.set)
            self._host = await self._stack.enter_async_context(host)
            await self._host.connected(within_s=c.within_s)
            self._tos = await self._stack.enter_async_context(self._tos_client())
            await self._tos.subscribe(orders_topic(c.block), qos=1, timeout=c.within_s)
            self._tasks = await self._stack.enter_async_context(asyncio.TaskGroup())
        except BaseException:
            await self._stack.aclose()
            self._store.close()
            raise
        self._own = [self._tasks.create_task(self._read(self._tos), name="tos orders"),
                     self._tasks.create_task(self._rounds(), name="dispatcher")]  # fmt: skip
        log.info("dispatcher %s: online, %d order(s) stored", c.block, len(self.dispatcher.orders))
        return self

    async def __aexit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:  # fmt: skip
        for task in self._own:
            task.cancel()
        try:
            await self._stack.aclose()
        finally:
            self._store.close()

    def view(self) -> FleetView:
        """The block as the dispatcher sees it now."""
        assert self._host is not None
        return self._host.view()

    async def stopped(self) -> None:
        """Wait until cancelled (the command's main task)."""
        await asyncio.Event().wait()

    def _tos_client(self) -> aiomqtt.Client:
        c = self.config
        return mqtt_client(c.broker, c.credentials, identifier=f"crane-ctrl-{c.host_id}",
                           keepalive=KEEPALIVE_S, timeout=c.within_s)  # fmt: skip

    async def _read(self, client: aiomqtt.Client) -> None:
        async for message in client.messages:
            payload = message.payload
            self._inbox.put_nowait(payload if isinstance(payload, bytes) else str(payload).encode())
            self._wake.set()

    # --- rounds

    async def _rounds(self) -> None:
        while True:
            try:
                async with asyncio.timeout(self.config.tick_s):
                    await self._wake.wait()
            except TimeoutError:
                pass
            self._wake.clear()
            await self._round()

    async def _round(self) -> None:
        d, now = self.dispatcher, self._now_ms()
        events: list[Event] = []
        actions: list[Action] = []
        while not self._inbox.empty():
            message = read_message(self._inbox.get_nowait(), self.config.site)
            _add(events, actions, d.receive(message, now))
        assert self._host is not None
        view = self._host.view()
        _add(events, actions, d.observe(view, now))
        _add(events, actions, d.assign(view, now))
        await self._settle(events)
        for action in actions:
            await self._settle(await self._carry_out(action))

    async def _settle(self, events: list[Event]) -> None:
        """Store what changed, then tell the TOS."""
        d = self.dispatcher
        if d.changed:
            self._store.save(d.orders[i] for i in sorted(d.changed))
            d.changed.clear()
        for event in events:
            await self._publish(event)

    async def _publish(self, event: Event) -> None:
        assert self._tos is not None
        data = event_json(event.event, event.order, self._now_ms(), **event.fields)
        try:
            await self._tos.publish(events_topic(self.config.block), data, qos=1,
                                    timeout=self.config.within_s)  # fmt: skip
        except (aiomqtt.MqttError, OSError, TimeoutError) as exc:
            log.warning("dispatcher: event %s of %s not published: %s", event.event,
                        event.order, exc)  # fmt: skip

    # --- the stations

    async def _carry_out(self, action: Action) -> list[Event]:
        now = self._now_ms()
        if self._refused_until.get(action.crane, 0.0) > self._clock.now():
            return self.dispatcher.sent(action, done=False, why="", values={}, now_ms=now)
        try:
            client = await self._logged_in(action.crane)
            result = await client.command(action.cmd, dict(action.args))
            if not result.authentic and "session" in result.why:  # the station restarted
                client.login_as = None
                client = await self._logged_in(action.crane)
                result = await client.command(action.cmd, dict(action.args))
        except LoginRefused as exc:
            log.error("dispatcher: login at %s refused (%s): not tried again for %g s",
                      action.crane, exc, LOGIN_RETRY_S)  # fmt: skip
            self._refused_until[action.crane] = self._clock.now() + LOGIN_RETRY_S
            return self.dispatcher.sent(action, done=False, why="", values={}, now_ms=now)
        except (TimeoutError, SessionRefused, aiomqtt.MqttError, OSError) as exc:
            log.warning("dispatcher: %s at %s: %s", action.cmd, action.crane, exc)
            return self.dispatcher.sent(action, done=False, why="", values={}, now_ms=now)
        why = result.why or ("" if result.done else str(result.outcome))
        return self.dispatcher.sent(action, done=result.done, why=why, values=result.values,
                                    now_ms=self._now_ms())  # fmt: skip

    async def _logged_in(self, crane: str) -> OperatorClient:
        c = self.config
        client = self._clients.get(crane)
        if client is None:
            client = OperatorClient(c.broker, NodeTopics.of(c.block, crane), host=c.host_id,
                                    credentials=c.credentials, clock=self._clock,
                                    within_s=c.within_s)  # fmt: skip
            client = await self._stack.enter_async_context(client)
            self._clients[crane] = client
        if client.login_as is None:
            await client.login(c.user, Role.OPERATOR, c.pin)
            log.info("dispatcher: logged in at %s as %s", crane, c.user)
        return client

    def _now_ms(self) -> int:
        return round(self._clock.wall() * 1000.0)


def _add(events: list[Event], actions: list[Action],
         out: tuple[list[Event], list[Action]]) -> None:  # fmt: skip
    events += out[0]
    actions += out[1]
