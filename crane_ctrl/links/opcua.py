"""Link to an OPC UA PLC server through an asyncua ``Client``.

Every status node is read in one batched Read per scan (one round trip, values as fresh as the
scan; a subscription would add the publishing interval to every reaction and is not needed at
20 Hz). Namespace indexes are looked up from the profile's URIs at each connect. Writes carry the
exact variant type of each node. Security None, Sign or SignAndEncrypt with Basic256Sha256: the
client certificate and key come from the profile's file references, user name and password from
the environment variables or file it names (never from the profile itself), and the server's
certificate must be in the profile's trust folder (checked by :mod:`crane_ctrl.pki` first, so a
missing or empty folder, or a file there that is no certificate, is named with the fix). A
certificate refused by either side is reported as which one (subject, SHA-1 thumbprint), why,
and where it must go. The link keeps itself connected with a fresh client per connection and
capped backoff; nothing raises into the scan loop.

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
from typing import Self

from asyncua import ua
from asyncua.client.client import Client
from asyncua.common.node import Node
from asyncua.common.utils import ServiceError
from asyncua.crypto.security_policies import SecurityPolicyBasic256Sha256
from asyncua.crypto.truststore import TrustStore
from asyncua.crypto.validator import (
    CertificateValidator,
    CertificateValidatorMethod,
    CertificateValidatorOptions,
)
from asyncua.ua.attribute_ids import AttributeIds
from asyncua.ua.status_codes import StatusCodes, get_name_and_doc
from asyncua.ua.uaerrors import UaError, UaStatusCodeError
from cryptography import x509

from crane_ctrl.clock import Clock
from crane_ctrl.errors import CraneCtrlError, EncodeError
from crane_ctrl.link_report import LinkHealth, LinkState, ReadResult, WriteResult
from crane_ctrl.links.base import Backoff, HealthBook
from crane_ctrl.log_redaction import register_secret
from crane_ctrl.pki import facts, read_certificate, trusted_certificates
from crane_ctrl.profile.model import OpcUaLink as OpcUaLinkSettings
from crane_ctrl.profile.model import OpcUaMapping, OpcUaProfile
from crane_ctrl.profile.opcua_map import MethodCall, NodeRef, OpcUaCodec, RisingEdges
from crane_ctrl.realtime import deadline
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
        self._refused_server: x509.Certificate | None = None

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
                    LinkState.DOWN, f"cannot connect to {self.endpoint}: {self._why(exc)}"
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
        self._refused_server = None
        await self._secure(client)
        self._client = client
        async with deadline(timeout * 5):
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
            client.certificate_validator = await self._server_validator(
                resolve_path(link.trust_dir, self.base_dir)
            )
        if link.username_env is not None:
            client.set_user(_credential(link.username_env, None, self.base_dir, "user name"))
            password = _credential(link.password_env, link.password_file, self.base_dir, "password")
            register_secret(password)  # no log shows it, at any level (log_redaction)
            client.set_password(password)

    async def _server_validator(self, folder: Path) -> CertificateValidatorMethod:
        """asyncua's validator over the trust folder, noting a server certificate it refused."""
        trusted_certificates(folder, wanted="the PLC's server certificate", fix=_TRUST_FIX)
        store = TrustStore([folder], [])
        await store.load()
        options = CertificateValidatorOptions.TRUSTED_VALIDATION
        validator = CertificateValidator(options | CertificateValidatorOptions.PEER_SERVER, store)

        async def validate(cert: x509.Certificate, server: ua.ApplicationDescription) -> None:
            try:
                await validator.validate(cert, server)
            except ServiceError:
                self._refused_server = cert
                raise

        return validate

    def _why(self, exc: BaseException) -> str:
        """Why a connect failed, in words an engineer can act on; a certificate refused by
        either side says which certificate, and where it must go."""
        if isinstance(exc, CraneCtrlError):
            return str(exc)
        status = exc.code if isinstance(exc, UaStatusCodeError) else None
        if status not in _CERTIFICATE_STATUSES:
            return _describe(exc)
        name = get_name_and_doc(status)[0]
        if self._refused_server is not None:
            seen = _certificate_words(self._refused_server)
            folder = resolve_path(self.settings.trust_dir or "", self.base_dir)
            fix = _CERTIFICATE_FIXES.get(status) or (
                f"if it is the PLC's, copy it into the trust folder {folder} "
                f"(crane-ctrl pki trust FILE --dir {folder})"
            )
            return f"the server's certificate ({seen}) is refused here ({name}): {fix}"
        own = resolve_path(self.settings.certificate or "", self.base_dir)
        fix = _CERTIFICATE_FIXES.get(status) or (
            "the server must trust it: add it to the PLC's trusted clients (for the simulator: "
            f"crane-ctrl pki trust {own} --dir DIR, then crane-ctrl sim --trust-dir DIR)"
        )
        said = "most likely refused" if status == StatusCodes.BadSecurityChecksFailed else "refused"
        words = _file_words(own)
        return f"the server {said} this client's certificate {own} ({words}) ({name}): {fix}"

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
            async with deadline(self.settings.timeout_s):
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
                async with deadline(1.0):
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
            async with deadline(self.settings.timeout_s):
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
            async with deadline(self.settings.timeout_s):
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
            async with deadline(self.settings.timeout_s):
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
    uri = facts(read_certificate(cert_path)).application_uri
    if uri is None:
        raise CraneCtrlError(
            f"client certificate {cert_path} has no application URI: make one with "
            "`crane-ctrl pki client --dir DIR`"
        )
    return uri


_TRUST_FIX = (
    "the profile's [link] trust_dir names it; for the simulator, `crane-ctrl sim` prints where "
    "its certificate is"
)
_CERTIFICATE_STATUSES = {
    StatusCodes.BadCertificateUntrusted,
    StatusCodes.BadCertificateInvalid,
    StatusCodes.BadCertificateTimeInvalid,
    StatusCodes.BadCertificateUriInvalid,
    StatusCodes.BadCertificateUseNotAllowed,
    StatusCodes.BadCertificateRevoked,
    StatusCodes.BadSecurityChecksFailed,
}
"""What a server answers (or our validator raises) when a certificate is not accepted."""
_CERTIFICATE_FIXES = {
    StatusCodes.BadCertificateTimeInvalid: "it has expired or is not yet valid: check both "
    "clocks, or make a new certificate (crane-ctrl pki client --force for ours) and trust it",
    StatusCodes.BadCertificateUriInvalid: "its application URI is not the one the application "
    "says it has: make a new certificate (crane-ctrl pki client --uri URI)",
    StatusCodes.BadCertificateUseNotAllowed: "it is not made for this use (client or server): "
    "make one that is (crane-ctrl pki client makes client certificates)",
    StatusCodes.BadCertificateRevoked: "it is revoked: make a new one and trust that",
}
"""The fix for a certificate refused for something other than trust (``pki show`` says more)."""


def _certificate_words(cert: x509.Certificate) -> str:
    seen = facts(cert)
    return f"{seen.subject}, SHA-1 {seen.sha1}"


def _file_words(path: Path) -> str:
    try:
        return _certificate_words(read_certificate(path))
    except CraneCtrlError as exc:
        return str(exc)


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
