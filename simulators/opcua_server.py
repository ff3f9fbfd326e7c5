"""A simulated PLC served over OPC UA with the asyncua server, its nodes made from a profile.

The namespace comes from the profile's URI (its index is whatever the server assigns, so clients
must look it up, as with a real PLC). Every mapped node is created with its variant type, arrays
as long as the profile needs, and writable only where a mapping says ``access = "read_write"``;
a generic client browses them as a crane, ``Objects/Crane/Hoist/Position`` ...
(:mod:`simulators.opcua_tree`), analog ones with their engineering units and range.
:meth:`OpcUaPlcServer.publish` writes the status signals (only values that changed, each with
its source and server timestamp, the server's wall clock then; values the codec cannot encode,
and raw forces, as :mod:`simulators.served_status` says); client writes
reach the PLC process through the server's post-write callback. A command the profile maps to a
method is a method node under its object (the object made, in the command's group, if no other
node is there); a call
presses the command for a short hold (:class:`simulators.plc_logic.MethodPresses`: one rising
edge for ``plc.reset``, long enough for the twistlocks to turn for lock and unlock), released at
the first :meth:`~OpcUaPlcServer.publish` after the hold, on the server's own (real) time. A
command node the PLC wrote itself (a request it cleared) is written in the address space on
publish, as the PLC left it.

A profile with ``Basic256Sha256`` is served with that policy only, with a self-signed server
certificate made at start-up (kept in ``pki_dir`` when one is given: made once, then reused);
user name and password are checked against the environment variables (or file) the profile
names, when they are set. Any client certificate is accepted unless ``trust_dir`` is given:
then only those in that folder, checked by asyncua's ``CertificateValidator``, each refusal
logged with the certificate's subject and thumbprint and where to put it.
"""

from __future__ import annotations

import asyncio
import logging
import os
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC
from pathlib import Path
from types import TracebackType
from typing import Any, Self
from urllib.parse import urlsplit

from asyncua import ua
from asyncua.common.callback import CallbackType, ServerItemCallback
from asyncua.common.utils import ServiceError
from asyncua.crypto.cert_gen import setup_self_signed_certificate
from asyncua.crypto.permission_rules import User, UserRole
from asyncua.crypto.truststore import TrustStore
from asyncua.crypto.validator import CertificateValidator, CertificateValidatorOptions
from asyncua.server.binary_server_asyncio import BinaryServer
from asyncua.server.server import Server
from asyncua.ua.status_codes import StatusCodes, get_name_and_doc
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID

from crane_ctrl.crane import CraneParams
from crane_ctrl.errors import CraneCtrlError
from crane_ctrl.pki import facts, trusted_certificates
from crane_ctrl.profile.model import OpcUaProfile
from crane_ctrl.profile.opcua_map import MethodCall, NodeRef, NodeWrite, OpcUaCodec
from crane_ctrl.signals import Direction, Value
from simulators.listening import check_free, listen_failure
from simulators.opcua_nodes import OBJECTS, object_item, own_id, variable_items
from simulators.opcua_standard_space import stop_clock_at_once, use_shared_standard_space
from simulators.opcua_tree import CRANE, member_name, plan
from simulators.plc_logic import MethodPresses
from simulators.served import LinkFaults, PlcProcess, RawForce, WriteBackSeen
from simulators.served_status import OpcUaStatus

__all__ = ["OpcUaPlcServer", "write_back"]

log = logging.getLogger(__name__)

APPLICATION_URI = "urn:crane-ctrl:simulator"
_CLIENT_CERT = "the supervisor's client certificate"
_CLIENT_FIX = "crane-ctrl pki trust FILE --dir FOLDER does it (crane-ctrl pki client makes one)"


class OpcUaPlcServer:
    """One simulated PLC on an OPC UA endpoint (127.0.0.1 unless told otherwise)."""

    def __init__(
        self,
        profile: OpcUaProfile,
        plc: PlcProcess,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        faults: LinkFaults | None = None,
        pki_dir: Path | None = None,
        crane: CraneParams | None = None,
        trust_dir: Path | None = None,
    ) -> None:
        """``crane``: the crane the PLC drives, whose plausible ranges the analog nodes declare
        as their ``EURange`` (default: the catalogue's ranges). ``pki_dir``: where the server's
        key and certificate are kept (default: a new pair in a temporary folder each start).
        ``trust_dir``: accept only client certificates found there (secure profiles only;
        default: any client certificate)."""
        if trust_dir is not None and profile.link.security_policy == "None":
            raise CraneCtrlError(
                f"a trust folder for client certificates needs a secure profile: {profile.name} "
                'has security_policy = "None" (no client certificate is sent)'
            )
        self.codec = OpcUaCodec(profile)
        self.served = OpcUaStatus(self.codec)
        self.plc = plc
        self.faults = faults or LinkFaults()
        self._host = host
        self._port = port
        self._pki_dir = pki_dir
        self.trust_dir = trust_dir
        self.refused: list[str] = []
        """Each client certificate refused, as subject and SHA-1 thumbprint (tests, logs)."""
        self._crane = crane
        self._server = Server()
        self._node_ids: dict[NodeRef, ua.NodeId] = {}
        self._published: dict[NodeRef, object] = {}
        self._paused: set[int] = set()
        self._presses = MethodPresses(plc.command)
        self._written_back = WriteBackSeen(plc)
        self.calls: list[str] = []
        """The commands whose method a client called, in order (for tests and logs)."""
        self._tmp: tempfile.TemporaryDirectory[str] | None = None

    @property
    def profile(self) -> OpcUaProfile:
        return self.codec.profile

    async def __aenter__(self) -> Self:
        if self.trust_dir is not None:  # before anything is made that would need undoing
            trusted_certificates(self.trust_dir, wanted=_CLIENT_CERT, fix=_CLIENT_FIX)
        check_free(self._host, self._port)  # before the address space is built: seconds
        server = self._server
        use_shared_standard_space(server)
        await server.init()
        path = urlsplit(self.profile.link.endpoint).path or "/"
        server.set_endpoint(f"opc.tcp://{self._host}:{self._port}{path}")
        server.set_server_name(f"crane-ctrl simulator ({self.profile.name})")
        await server.set_application_uri(APPLICATION_URI)
        await self._set_security()
        await self._build_nodes()
        server.subscribe_server_callback(CallbackType.PostWrite, self._on_write)
        try:
            with _quiet_start_failure():
                await server.start()
        except OSError as exc:
            if self._tmp is not None:
                self._tmp.cleanup()
            raise listen_failure(self._host, self._port, exc) from None
        await self.publish()
        log.info("OPC UA PLC simulator listening on %s", self.endpoint)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.faults.thaw()
        await stop_clock_at_once(self._server)
        await self._server.stop()
        if self._tmp is not None:
            self._tmp.cleanup()

    @property
    def _listener(self) -> BinaryServer:
        assert self._server.bserver is not None, "use `async with` first"
        return self._server.bserver

    @property
    def certificate(self) -> Path | None:
        """The server's certificate file, for a client's trust list (secure profiles only)."""
        if self.profile.link.security_policy == "None" or self._pki_dir is None:
            return None
        return self._pki_dir / "simulator-cert.der"

    @property
    def port(self) -> int:
        port: int = self._listener.port
        return port

    @property
    def endpoint(self) -> str:
        path = urlsplit(self.profile.link.endpoint).path or "/"
        return f"opc.tcp://{self._host}:{self.port}{path}"

    async def _set_security(self) -> None:
        link = self.profile.link
        server = self._server
        if link.security_policy == "None":
            server.set_security_policy([ua.SecurityPolicyType.NoSecurity])
        else:
            policy = ua.SecurityPolicyType[f"Basic256Sha256_{link.security_mode}"]
            server.set_security_policy([policy])
            key, cert = await self._certificate()
            await server.load_certificate(str(cert))
            await server.load_private_key(str(key))
            if self.trust_dir is not None:
                server.set_certificate_validator(self._validate_client)
        if link.username_env is None:
            server.set_identity_tokens([ua.AnonymousIdentityToken])
        else:
            server.set_identity_tokens([ua.UserNameIdentityToken])
            server.iserver.set_user_manager(_EnvironmentUsers(self.profile))  # type: ignore[arg-type]

    async def _certificate(self) -> tuple[Path, Path]:
        if self._pki_dir is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="crane-ctrl-sim-pki-")
            self._pki_dir = Path(self._tmp.name)
        self._pki_dir.mkdir(parents=True, exist_ok=True)
        key = self._pki_dir / "simulator-key.pem"
        cert = self._pki_dir / "simulator-cert.der"
        await setup_self_signed_certificate(
            key,
            cert,
            APPLICATION_URI,
            self._host,
            [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH],
            {"organizationName": "crane-ctrl", "commonName": "crane-ctrl simulator"},
        )
        return key, cert

    async def _validate_client(
        self, cert: x509.Certificate, client: ua.ApplicationDescription
    ) -> None:
        """asyncua's validator over the trust folder as it is now (a certificate copied there
        while the simulator runs counts from the next connect); a refusal is logged with the
        certificate's subject and thumbprint, and where to put it."""
        assert self.trust_dir is not None
        seen = facts(cert)
        try:
            trusted_certificates(self.trust_dir, wanted=_CLIENT_CERT, fix=_CLIENT_FIX)
            store = TrustStore([self.trust_dir], [])
            await store.load()
            options = CertificateValidatorOptions.TRUSTED_VALIDATION
            validator = CertificateValidator(
                options | CertificateValidatorOptions.PEER_CLIENT, store
            )
            await validator.validate(cert, client)
        except (ServiceError, CraneCtrlError) as exc:
            why = str(exc) if isinstance(exc, CraneCtrlError) else get_name_and_doc(exc.code)[0]
            self.refused.append(f"{seen.subject}, SHA-1 {seen.sha1}")
            log.warning(
                "refused the client certificate %s (%s, SHA-1 %s): %s; to trust it, copy the "
                "client's certificate file into %s (crane-ctrl pki trust FILE --dir %s)",
                seen.subject, seen.application_uri, seen.sha1, why, self.trust_dir, self.trust_dir,
            )  # fmt: skip
            if isinstance(exc, ServiceError):
                raise
            raise ServiceError(StatusCodes.BadCertificateUntrusted) from None

    async def _build_nodes(self) -> None:
        """The crane's object tree (:mod:`simulators.opcua_tree`): one variable per mapped
        node, in the namespaces the profile names, analog ones with their properties; then the
        method objects and methods."""
        tree = plan(self.codec, self._crane)
        indexes: dict[str, int] = {}
        writable = {self.codec.ref(m) for m in self.codec.commands.values()}
        writable |= {
            self.codec.ref(m) for m in self.profile.signals.values() if m.access == "read_write"
        }
        groups = {"": own_id(CRANE)}
        items = [object_item(groups[""], OBJECTS, CRANE, f"the crane ({self.profile.name})")]
        for group in tree.groups:
            groups[group] = own_id(f"{CRANE}.{group}")
            items.append(object_item(groups[group], groups[""], group, group))
        types = self.codec.node_types()
        for node in tree.nodes:
            node_id = await self._node_id(node.ref, indexes)
            ua_type, length = types[node.ref]
            items += variable_items(
                node, node_id, groups[node.group], _initial(ua_type, length),
                writable=node.ref in writable,
            )  # fmt: skip
            self._node_ids[node.ref] = node_id
        for placed in tree.objects.values():
            object_id = await self._node_id(placed.ref, indexes)
            items.append(object_item(object_id, groups[placed.group], placed.name, str(placed.ref)))
            self._node_ids[placed.ref] = object_id
        for result in await self._server.iserver.isession.add_nodes(items):
            result.StatusCode.check()
        for call in self.codec.method_commands.values():
            await self._add_method(call, indexes)

    async def _node_id(self, ref: NodeRef, indexes: dict[str, int]) -> ua.NodeId:
        """``ref``'s node id, its namespace registered on first use."""
        if ref.namespace_uri not in indexes:
            indexes[ref.namespace_uri] = await self._server.register_namespace(ref.namespace_uri)
        return ua.NodeId.from_string(f"ns={indexes[ref.namespace_uri]};{ref.identifier}")

    async def _add_method(self, call: MethodCall, indexes: dict[str, int]) -> None:
        """A method node under ``call.object`` whose call presses ``call.signal``."""
        method_id = await self._node_id(call.method, indexes)
        method_name = ua.QualifiedName(member_name(call.method), method_id.NamespaceIndex)
        signal = call.signal

        async def pressed(parent: ua.NodeId, *arguments: ua.Variant) -> list[ua.Variant]:
            del parent, arguments  # the profile's literal arguments: nothing to check here
            self.calls.append(signal)
            self._presses.call(signal, asyncio.get_running_loop().time())
            log.info("OPC UA method %s called: %s pressed", call.method, signal)
            return []

        parent = self._server.get_node(self._node_ids[call.object])
        await parent.add_method(method_id, method_name, pressed, [], [])
        self._node_ids[call.method] = method_id

    async def publish(self) -> None:
        """Write the PLC's status into the address space; only values that changed. Commands
        pressed by a method call and held long enough fall first."""
        self._presses.release(asyncio.get_running_loop().time())
        self._apply_link_faults()
        for write in self.served.writes(self.plc.status(), self.faults.raw):
            if _same(self._published.get(write.node), write.value):
                continue
            self._published[write.node] = write.value
            now = ua.DateTime.now(UTC)
            await self._server.write_attribute_value(
                self._node_ids[write.node],
                ua.DataValue(_variant(write), SourceTimestamp=now, ServerTimestamp=now),
            )
        await self._serve_written_back()

    async def _serve_written_back(self) -> None:
        """Command nodes the PLC wrote itself (requests it cleared), as the PLC left them."""
        values = self._written_back.new()
        if not values:
            return
        nodes = {}
        for ref in self.codec.nodes(Direction.COMMAND):
            variant = self._server.read_attribute_value(self._node_ids[ref]).Value
            if variant is not None:
                nodes[ref] = variant.Value
        for write in write_back(self.codec, nodes, values):
            now = ua.DateTime.now(UTC)
            await self._server.write_attribute_value(
                self._node_ids[write.node],
                ua.DataValue(_variant(write), SourceTimestamp=now, ServerTimestamp=now),
            )

    async def _on_write(self, event: ServerItemCallback, dispatcher: object) -> None:
        """Client writes land in the address space first; decode every command node then."""
        del dispatcher
        if not event.is_external:
            return
        values = {}
        for ref in self.codec.nodes(Direction.COMMAND):
            variant = self._server.read_attribute_value(self._node_ids[ref]).Value
            if variant is not None:
                values[ref] = variant.Value
        self.plc.command(self.codec.decode(values, Direction.COMMAND).values)

    def _apply_link_faults(self) -> None:
        """Stop reading from clients while frozen; delay what they send under latency."""
        for client in list(self._listener.clients):
            transport = client.transport
            if transport is None:
                continue
            _delay_input(client, self.faults)
            if self.faults.frozen and id(client) not in self._paused:
                transport.pause_reading()
                self._paused.add(id(client))
            elif not self.faults.frozen and id(client) in self._paused:
                transport.resume_reading()
                self._paused.discard(id(client))

    def check_raw(self, force: RawForce) -> None:
        """:class:`~crane_ctrl.errors.FaultError` unless this profile's place can hold the raw."""
        self.served.check(force)

    def drop_connections(self) -> None:
        """Close every client connection now (the endpoint stays up, clients may reconnect)."""
        for client in list(self._listener.clients):
            if client.transport is not None:
                client.transport.close()


class _NoStartTraceback(logging.Filter):
    """Drops asyncua's "error starting server" traceback: :func:`listen_failure` says why."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "error starting server" not in record.getMessage()


@contextmanager
def _quiet_start_failure() -> Iterator[None]:
    logger = logging.getLogger("asyncua.server.server")
    quiet = _NoStartTraceback()
    logger.addFilter(quiet)
    try:
        yield
    finally:
        logger.removeFilter(quiet)


def write_back(
    codec: OpcUaCodec, nodes: Mapping[NodeRef, object], values: Mapping[str, Value]
) -> list[NodeWrite]:
    """The command nodes holding what the PLC wrote back, each written whole: the other
    commands a node holds keep the values ``nodes`` (the command nodes now) give them; commands
    the profile does not map to a node (none, or a method) are not served."""
    values = {
        name: v
        for name, v in values.items()
        if name in codec.profile.signals and name not in codec.method_commands
    }
    current = dict(codec.decode(nodes, Direction.COMMAND).values)
    current.update(values)
    refs = {codec.ref(codec.profile.signals[name]) for name in values}
    shared = {
        name: value
        for name, value in current.items()
        if name not in codec.method_commands and codec.ref(codec.profile.signals[name]) in refs
    }
    return codec.encode(shared)


def _delay_input(client: Any, faults: LinkFaults) -> None:
    """Wrap a connection's input so that every message waits ``faults.latency_s`` first."""
    if getattr(client, "_crane_ctrl_delayed", False):
        return
    receive = client.data_received
    loop = asyncio.get_running_loop()

    def delayed(data: bytes) -> None:
        if faults.latency_s > 0:
            loop.call_later(faults.latency_s, receive, data)
        else:
            receive(data)

    client.data_received = delayed
    client._crane_ctrl_delayed = True


def _same(old: object, new: object) -> bool:
    """Whether a node value is unchanged; a NaN served again is (it never equals itself)."""
    return old == new or (old is not None and repr(old) == repr(new))


_ZERO: dict[str, bool | float] = {"Boolean": False, "Float": 0.0, "Double": 0.0}


def _initial(ua_type: str, length: int | None) -> ua.Variant:
    zero = _ZERO.get(ua_type, 0)
    value: object = [zero] * length if length is not None else zero
    return ua.Variant(value, ua.VariantType[ua_type])


def _variant(write: NodeWrite) -> ua.Variant:
    return ua.Variant(write.value, ua.VariantType[write.ua_type])


class _EnvironmentUsers:
    """Accepts the user name and password the profile's references point to, when set."""

    def __init__(self, profile: OpcUaProfile) -> None:
        link = profile.link
        self.username = os.environ.get(link.username_env or "")
        password = os.environ.get(link.password_env or "") if link.password_env else None
        if link.password_file and Path(os.path.expandvars(link.password_file)).exists():
            password = Path(os.path.expandvars(link.password_file)).read_text().strip()
        self.password = password
        if self.username is None or self.password is None:
            log.warning("no OPC UA credentials set for the simulator; accepting any user")

    def get_user(
        self,
        iserver: object,
        username: str | None = None,
        password: str | None = None,
        certificate: object = None,
    ) -> User | None:
        del iserver, certificate
        if username is None:
            return None
        if self.username is not None and (username, password) != (self.username, self.password):
            return None
        return User(role=UserRole.User, name=username)
