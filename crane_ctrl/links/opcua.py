"""Link to an OPC UA PLC server through an asyncua ``Client``.

Every status node is read in one batched Read per scan (one round trip, values as fresh as the
scan; a subscription would add the publishing interval to every reaction and is not needed at
20 Hz). Namespace indexes are looked up from the profile's URIs at each connect. Writes carry the
exact variant type of each node. Security None, Sign or SignAndEncrypt with Basic256Sha256: the
client certificate and key come from the profile's file references, user name and password from
the environment variables or file it names (never from the profile itself), and the server's
certificate must be in the profile's trust folder. The link keeps itself connected with a fresh
client per connection and capped backoff; nothing raises into the scan loop.

A bool command mapped to a method (``plc.reset`` as ``Reset()`` on the PLC's object) is called
once on each rising edge of its value, after the node writes of the same scan and under the same
timeout; a failed call fails the write (naming the method) and is tried again on the next write
while the command stays true. After a reconnect a command that is true is a new edge.

Once per connect, after the link is up and beside the scan (never delaying it), the link reads
what the server declares of each analog node a signal is mapped to (a float signal in m, m/s or
t): its ``EngineeringUnits`` and ``EURange`` properties, in one TranslateBrowsePaths and one
Read under the link's timeout. :attr:`OpcUaLink.declared_units` has them for commissioning to
compare with the profile's scaling; nodes without the properties are simply not in it, and a
read that fails is logged and leaves it empty.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from asyncua import ua
from asyncua.client.client import Client
from asyncua.common.node import Node
from asyncua.crypto.security_policies import SecurityPolicyBasic256Sha256
from asyncua.crypto.truststore import TrustStore
from asyncua.crypto.validator import CertificateValidator, CertificateValidatorOptions
from asyncua.ua.attribute_ids import AttributeIds
from asyncua.ua.uaerrors import UaError, UaStatusCodeError
from cryptography import x509

from crane_ctrl.clock import Clock
from crane_ctrl.errors import CraneCtrlError, EncodeError
from crane_ctrl.link_report import LinkHealth, LinkState, ReadResult, WriteResult
from crane_ctrl.links.base import Backoff, HealthBook
from crane_ctrl.log_redaction import register_secret
from crane_ctrl.profile.model import OpcUaLink as OpcUaLinkSettings
from crane_ctrl.profile.model import OpcUaMapping, OpcUaProfile
from crane_ctrl.profile.opcua_map import MethodCall, NodeRef, OpcUaCodec, RisingEdges
from crane_ctrl.signals import SIGNALS, Direction, Kind, Value
from crane_ctrl.units import CANONICAL_UNITS, DeclaredUnits

__all__ = ["OpcUaLink", "resolve_path"]

log = logging.getLogger(__name__)
_FAILURES = (OSError, TimeoutError, UaError, asyncio.IncompleteReadError)


def resolve_path(text: str, base_dir: Path) -> Path:
    """A profile's file reference: ``$VARS`` and ``~`` expanded, relative to its folder."""
    path = Path(os.path.expanduser(os.path.expandvars(text)))
    return path if path.is_absolute() else base_dir / path


class OpcUaLink:
    """One OPC UA PLC server. ``async with`` owns the client and the reconnect task."""

    def __init__(
        self,
        profile: OpcUaProfile,
        clock: Clock,
        *,
        endpoint: str | None = None,
        base_dir: Path | None = None,
        backoff: Backoff | None = None,
        failures_to_drop: int = 3,
    ) -> None:
        self.codec = OpcUaCodec(profile)
        self.settings: OpcUaLinkSettings = profile.link
        self.clock = clock
        self.endpoint = endpoint or profile.link.endpoint
        self.base_dir = base_dir or Path.cwd()
        self._backoff = backoff or Backoff(0.2, 2.0)
        self._status_refs = self.codec.nodes(Direction.STATUS)
        self._client: Client | None = None
        self._nodes: dict[NodeRef, Node] = {}
        self._edges = RisingEdges(self.codec.method_commands)
        self._task: asyncio.Task[None] | None = None
        self._lost = asyncio.Event()
        self._book = HealthBook(self.name, clock, failures_to_drop)
        self._analog = _analog_nodes(self.codec)
        self._units: dict[str, DeclaredUnits] | None = None

    @property
    def name(self) -> str:
        return f"{self.codec.profile.name} (opcua {self.endpoint})"

    @property
    def health(self) -> LinkHealth:
        return self._book.health

    @property
    def declared_units(self) -> Mapping[str, DeclaredUnits] | None:
        """What the server declares of each analog signal's node (read once per connect);
        ``None`` until the first read of them ended."""
        return self._units

    async def __aenter__(self) -> Self:
        self._task = asyncio.create_task(self._keep_connected(), name=f"link {self.name}")
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        await self._disconnect()
        self._book.set(LinkState.CLOSED, "")

    # --- connection -------------------------------------------------------------------------------

    async def _keep_connected(self) -> None:
        while True:
            try:
                await self._connect()
            except Exception as exc:  # whatever asyncua raises, the keeper keeps trying
                await self._disconnect()
                self._book.set(
                    LinkState.DOWN, f"cannot connect to {self.endpoint}: {_describe(exc)}"
                )
                await asyncio.sleep(self._backoff.next())
                continue
            self._backoff.reset()
            self._edges.forget()
            self._book.set(LinkState.UP, reconnected=True)
            self._lost.clear()
            await self._read_units()
            await self._lost.wait()
            await self._disconnect()
            self._book.set(LinkState.DOWN, self.health.last_error or "connection lost")

    async def _connect(self) -> None:
        timeout = self.settings.timeout_s
        client = Client(self.endpoint, timeout=timeout, watchdog_intervall=max(timeout, 0.5))
        client.session_timeout = 600_000
        await self._secure(client)
        self._client = client
        async with asyncio.timeout(timeout * 5):
            await client.connect()
            self._nodes = await self._resolve(client)

    async def _secure(self, client: Client) -> None:
        link = self.settings
        if link.security_policy != "None":
            # the profile rules guarantee all three for a secure link
            assert link.certificate is not None
            assert link.private_key is not None
            assert link.trust_dir is not None
            cert = resolve_path(link.certificate, self.base_dir)
            client.application_uri = _application_uri(cert)
            mode = getattr(ua.MessageSecurityMode, link.security_mode)
            await client.set_security(
                SecurityPolicyBasic256Sha256,
                certificate=str(cert),
                private_key=str(resolve_path(link.private_key, self.base_dir)),
                mode=mode,
            )
            store = TrustStore([_trust_folder(resolve_path(link.trust_dir, self.base_dir))], [])
            await store.load()
            options = CertificateValidatorOptions.TRUSTED_VALIDATION
            client.certificate_validator = CertificateValidator(
                options | CertificateValidatorOptions.PEER_SERVER, store
            )
        if link.username_env is not None:
            client.set_user(_credential(link.username_env, None, self.base_dir, "user name"))
            password = _credential(link.password_env, link.password_file, self.base_dir, "password")
            register_secret(password)  # no log shows it, at any level (log_redaction)
            client.set_password(password)

    async def _resolve(self, client: Client) -> dict[NodeRef, Node]:
        indexes: dict[str, int] = {}
        nodes: dict[NodeRef, Node] = {}
        calls = self.codec.method_commands.values()
        refs = [*self.codec.node_types(), *(r for c in calls for r in (c.object, c.method))]
        for ref in refs:
            if ref.namespace_uri not in indexes:
                indexes[ref.namespace_uri] = await client.get_namespace_index(ref.namespace_uri)
            nodes[ref] = client.get_node(
                ua.NodeId.from_string(f"ns={indexes[ref.namespace_uri]};{ref.identifier}")
            )
        return nodes

    async def _read_units(self) -> None:
        """The ``EngineeringUnits`` and ``EURange`` of every analog node, within the timeout;
        a failure is logged and declares nothing (the link itself is not at fault)."""
        client = self._client
        refs = sorted(set(self._analog.values()))
        if client is None:
            return
        if not refs:  # no analog signal mapped: nothing to ask
            self._units = {}
            return
        try:
            async with asyncio.timeout(self.settings.timeout_s):
                declared = await _declarations(client, [self._nodes[r].nodeid for r in refs])
        except Exception as exc:  # whatever the server answers, the link stays up
            log.warning("%s: cannot read the engineering units: %s", self.name, _describe(exc))
            declared = [None] * len(refs)
        by_ref = dict(zip(refs, declared, strict=True))
        self._units = {
            name: units for name, ref in self._analog.items() if (units := by_ref[ref]) is not None
        }

    async def _disconnect(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            try:
                async with asyncio.timeout(1.0):
                    await client.disconnect()
            except (*_FAILURES, CraneCtrlError) as exc:
                log.debug("%s: disconnect: %s", self.name, exc)

    def _failed(self, error: str, *, fatal: bool) -> None:
        if self._book.failure(error) or fatal:
            self._lost.set()

    # --- reads and writes -------------------------------------------------------------------------

    def _usable(self) -> Client | None:
        if self._book.state is not LinkState.UP:
            return None
        return self._client

    async def read(self) -> ReadResult:
        client = self._usable()
        if client is None:
            return ReadResult(
                False, error=f"link {self.name} is {self._book.state}: {self.health.last_error}"
            )
        started = time.perf_counter()
        try:
            async with asyncio.timeout(self.settings.timeout_s):
                data = await client.read_attributes([self._nodes[r] for r in self._status_refs])
        except _FAILURES as exc:
            error = (
                f"link {self.name}: read of {len(self._status_refs)} nodes failed: {_describe(exc)}"
            )
            self._failed(error, fatal=isinstance(exc, ConnectionError | OSError))
            return ReadResult(False, error=error, duration_s=time.perf_counter() - started)
        values: dict[NodeRef, object] = {}
        bad: dict[NodeRef, str] = {}
        for ref, dv in zip(self._status_refs, data, strict=True):
            if dv.StatusCode is not None and not dv.StatusCode.is_good():
                bad[ref] = dv.StatusCode.name
            elif dv.Value is not None:
                values[ref] = dv.Value.Value
        decoded = self.codec.decode(values)
        problems = _bad_nodes(decoded.problems, self.codec.status, self.codec.ref, bad)
        point_problems = _bad_nodes(decoded.point_problems, self.codec.points, self.codec.ref, bad)
        took = time.perf_counter() - started
        if bad:  # answered, with bad status codes: a failure, not a drop
            ref, code = next(iter(bad.items()))
            self._book.failure(f"link {self.name}: read: {len(bad)} nodes bad, {ref}: {code}",
                               toward_drop=False)  # fmt: skip
        self._book.success(took)
        return ReadResult(True, decoded.values, problems, duration_s=took, points=decoded.points,
                          point_problems=point_problems, proofs=decoded.proofs)  # fmt: skip

    async def write(self, values: Mapping[str, Value]) -> WriteResult:
        client = self._usable()
        if client is None:
            return WriteResult(False, f"link {self.name} is {self._book.state}")
        started = time.perf_counter()
        try:
            writes = self.codec.encode(values)
        except EncodeError as exc:
            return WriteResult(False, f"link {self.name}: cannot encode: {exc}")
        nodes = [self._nodes[w.node] for w in writes]
        data = [ua.DataValue(ua.Variant(w.value, ua.VariantType[w.ua_type])) for w in writes]
        try:
            async with asyncio.timeout(self.settings.timeout_s):
                statuses = await client.write_values(nodes, data, raise_on_partial_error=False)
        except _FAILURES as exc:
            error = f"link {self.name}: write of {len(nodes)} nodes failed: {_describe(exc)}"
            self._failed(error, fatal=isinstance(exc, ConnectionError | OSError))
            return WriteResult(False, error, time.perf_counter() - started)
        refused = [
            f"{w.node}: {s.name}" for w, s in zip(writes, statuses, strict=True) if not s.is_good()
        ]
        if refused:
            return WriteResult(False, f"link {self.name}: write refused: {'; '.join(refused)}")
        failed = [await self._call(call) for call in self._edges.due(values)]
        errors = [error for error in failed if error is not None]
        if errors:
            return WriteResult(False, "; ".join(errors), time.perf_counter() - started)
        return WriteResult(True, duration_s=time.perf_counter() - started)

    async def _call(self, call: MethodCall) -> str | None:
        """Call the method that carries ``call.signal`` (on the nodes resolved at connect); what
        went wrong, or ``None``. A refusal (a bad status) is the server's answer: the link is
        fine."""
        try:
            async with asyncio.timeout(self.settings.timeout_s):
                await self._nodes[call.object].call_method(
                    self._nodes[call.method].nodeid, *call.arguments
                )
        except _FAILURES as exc:
            self._edges.missed(call)
            error = f"link {self.name}: call of {call} for {call.signal} failed: {_describe(exc)}"
            if not isinstance(exc, UaStatusCodeError):
                self._failed(error, fatal=isinstance(exc, ConnectionError | OSError))
            return error
        return None


def _analog_nodes(codec: OpcUaCodec) -> dict[str, NodeRef]:
    """The node of every signal that is a float in a measured unit (m, m/s, t)."""
    return {
        name: codec.ref(m)
        for name, m in {**codec.status, **codec.commands}.items()
        if SIGNALS[name].kind is Kind.FLOAT and SIGNALS[name].unit in CANONICAL_UNITS
    }


_UNITS, _RANGE = "EngineeringUnits", "EURange"


async def _declarations(client: Client, nodes: list[ua.NodeId]) -> list[DeclaredUnits | None]:
    """What each node declares (``None``: neither property), in two requests."""
    wanted = [(i, name) for i in range(len(nodes)) for name in (_UNITS, _RANGE)]
    paths = [
        ua.BrowsePath(nodes[i], ua.RelativePath.from_string(f"<HasProperty>0:{name}"))
        for i, name in wanted
    ]
    found = await client.uaclient.translate_browsepaths_to_nodeids(paths)
    targets = {
        key: _local(r.Targets[0].TargetId)
        for key, r in zip(wanted, found, strict=True)
        if r.StatusCode.is_good() and r.Targets
    }
    values: dict[tuple[int, str], object] = {}
    if targets:
        read = await client.uaclient.read_attributes(list(targets.values()), AttributeIds.Value)
        values = {
            key: dv.Value.Value if dv.Value is not None else None
            for key, dv in zip(targets, read, strict=True)
        }
    return [_declared(values.get((i, _UNITS)), values.get((i, _RANGE))) for i in range(len(nodes))]


def _local(target: ua.ExpandedNodeId) -> ua.NodeId:
    """A browse target as the plain node id a Read takes."""
    return ua.NodeId(target.Identifier, target.NamespaceIndex, target.NodeIdType)


def _declared(units: object, eu_range: object) -> DeclaredUnits | None:
    has_unit = isinstance(units, ua.EUInformation)
    has_range = isinstance(eu_range, ua.Range)
    if not (has_unit or has_range):
        return None
    declared = DeclaredUnits()
    if isinstance(units, ua.EUInformation):
        symbol = units.DisplayName.Text if units.DisplayName is not None else None
        declared = DeclaredUnits(units.NamespaceUri, int(units.UnitId), symbol or "")
    if isinstance(eu_range, ua.Range):
        declared = replace(declared, low=float(eu_range.Low), high=float(eu_range.High))
    return declared


def _describe(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return "timed out"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _application_uri(cert_path: Path) -> str:
    """The URI in a client certificate's subject alternative name (asyncua must send the same)."""
    data = cert_path.read_bytes()
    cert = (
        x509.load_pem_x509_certificate(data)
        if data.startswith(b"-----")
        else x509.load_der_x509_certificate(data)
    )
    san: Any = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    uris = san.get_values_for_type(x509.UniformResourceIdentifier)
    if not uris:
        raise CraneCtrlError(f"client certificate {cert_path} has no application URI")
    return str(uris[0])


_CERTIFICATE_SUFFIXES = (".der", ".pem", ".crt", ".cer")


def _trust_folder(folder: Path) -> Path:
    """``folder``, if it holds a server certificate to trust; else what to do about it."""
    if not folder.is_dir():
        raise CraneCtrlError(
            f"the OPC UA trust folder {folder} does not exist: create it and copy the PLC's "
            "server certificate (.der or .pem) into it (profile [link] trust_dir)"
        )
    if not any(p.suffix.lower() in _CERTIFICATE_SUFFIXES for p in folder.iterdir()):
        raise CraneCtrlError(
            f"the OPC UA trust folder {folder} holds no certificate: copy the PLC's server "
            "certificate (.der or .pem) into it; for the simulator, `crane-ctrl sim` says "
            "where its certificate is"
        )
    return folder


def _credential(env: str | None, file: str | None, base_dir: Path, what: str) -> str:
    if env is not None and env in os.environ:
        return os.environ[env]
    if file is not None:
        try:
            return resolve_path(file, base_dir).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise CraneCtrlError(
                f"cannot read the OPC UA {what} file {file}: {exc.strerror}"
            ) from None
    raise CraneCtrlError(f"the OPC UA {what} is not set: export {env}")


def _bad_nodes(
    problems: Mapping[str, str],
    mappings: Mapping[str, OpcUaMapping],
    ref: Callable[[OpcUaMapping], NodeRef],
    bad: Mapping[NodeRef, str],
) -> dict[str, str]:
    """``problems``, each one of a node the server answered with a bad status code saying so."""
    out = dict(problems)
    for name, m in mappings.items():
        if ref(m) in bad:
            out[name] = f"{m.place()}: {bad[ref(m)]}"
    return out
