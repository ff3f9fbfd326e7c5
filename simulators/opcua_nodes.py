"""The AddNodes requests that make the simulator's OPC UA tree (:mod:`simulators.opcua_tree`
says where each node goes): the crane and group objects in the server's own namespace, one
variable per profile node (an ``AnalogItemType`` when analog, else a ``BaseDataVariableType``;
read-only unless the profile writes it; arrays one-dimensional) and each analog variable's
``EURange`` and ``EngineeringUnits`` properties, the unit as its UNECE code.
"""

from __future__ import annotations

from asyncua import ua
from asyncua.ua.object_ids import ObjectIds

from crane_ctrl.units import UNECE_NAMESPACE
from simulators.opcua_tree import CRANE, Analog, PlacedNode

__all__ = ["OBJECTS", "object_item", "own_id", "variable_items"]

_OWN_NAMESPACE = 1
"""The server's own namespace (its application URI): the crane object and its groups."""


def _standard(identifier: int) -> ua.NodeId:
    """A node of the OPC UA standard namespace (types, reference types, Objects)."""
    return ua.NodeId(ua.Int32(identifier))


def own_id(name: str) -> ua.NodeId:
    """A node of the server's own namespace: ``Crane``, ``Crane.Hoist``."""
    return ua.NodeId(ua.String(name), ua.Int16(_OWN_NAMESPACE))


OBJECTS = _standard(ObjectIds.ObjectsFolder)


def object_item(
    node_id: ua.NodeId, parent: ua.NodeId, name: str, description: str
) -> ua.AddNodesItem:
    """An object, a component of ``parent`` (organised by it when ``parent`` is Objects)."""
    item = ua.AddNodesItem()
    item.RequestedNewNodeId = node_id
    item.BrowseName = ua.QualifiedName(name, node_id.NamespaceIndex)
    item.NodeClass = ua.NodeClass.Object
    item.ParentNodeId = parent
    reference = ObjectIds.Organizes if parent == OBJECTS else ObjectIds.HasComponent
    item.ReferenceTypeId = _standard(reference)
    item.TypeDefinition = _standard(ObjectIds.BaseObjectType)
    attrs = ua.ObjectAttributes()
    attrs.DisplayName = ua.LocalizedText(name)
    attrs.Description = ua.LocalizedText(description)
    attrs.EventNotifier = 0
    item.NodeAttributes = attrs
    return item


def variable_items(
    node: PlacedNode, node_id: ua.NodeId, parent: ua.NodeId, value: ua.Variant, *, writable: bool
) -> list[ua.AddNodesItem]:
    """The variable for ``node`` (an AnalogItemType when analog) and its properties."""
    item = ua.AddNodesItem()
    item.RequestedNewNodeId = node_id
    item.BrowseName = ua.QualifiedName(node.name, node_id.NamespaceIndex)
    item.NodeClass = ua.NodeClass.Variable
    item.ParentNodeId = parent
    item.ReferenceTypeId = _standard(ObjectIds.HasComponent)
    kind = ObjectIds.AnalogItemType if node.analog else ObjectIds.BaseDataVariableType
    item.TypeDefinition = _standard(kind)
    data_type = _standard(getattr(ObjectIds, value.VariantType.name))
    item.NodeAttributes = _variable_attributes(
        node.name, node.description, value, data_type, writable=writable
    )
    if node.analog is None:
        return [item]
    path = ".".join(part for part in (CRANE, node.group, node.name) if part)
    return [item, *_analog_properties(node_id, path, node.analog)]


def _variable_attributes(
    name: str, description: str, value: ua.Variant, data_type: ua.NodeId, *, writable: bool
) -> ua.VariableAttributes:
    attrs = ua.VariableAttributes()
    attrs.DisplayName = ua.LocalizedText(name)
    attrs.Description = ua.LocalizedText(description)
    attrs.Value = value
    attrs.DataType = data_type
    if isinstance(value.Value, list):
        attrs.ValueRank = ua.ValueRank.OneDimension
        attrs.ArrayDimensions = [len(value.Value)]
    else:
        attrs.ValueRank = ua.ValueRank.Scalar
    access = ua.AccessLevel.CurrentRead.mask
    if writable:
        access |= ua.AccessLevel.CurrentWrite.mask
    attrs.AccessLevel = attrs.UserAccessLevel = access
    attrs.Historizing = False
    return attrs


def _analog_properties(parent: ua.NodeId, path: str, analog: Analog) -> list[ua.AddNodesItem]:
    """``EURange`` and (when the unit is known) ``EngineeringUnits`` of an analog variable, in
    the server's own namespace with ids after its browse path (``Crane.Hoist.Position.EURange``:
    the profile's namespaces stay the profile's)."""
    values: list[tuple[str, object, int]] = [
        ("EURange", ua.Range(analog.low, analog.high), ObjectIds.Range)
    ]
    unit = analog.unit
    if unit is not None:
        information = ua.EUInformation(
            NamespaceUri=UNECE_NAMESPACE,
            UnitId=unit.unit_id,
            DisplayName=ua.LocalizedText(unit.symbol),
            Description=ua.LocalizedText(unit.name),
        )
        values.append(("EngineeringUnits", information, ObjectIds.EUInformation))
    items = []
    for name, value, data_type in values:
        item = ua.AddNodesItem()
        item.RequestedNewNodeId = own_id(f"{path}.{name}")
        item.BrowseName = ua.QualifiedName(name, 0)
        item.NodeClass = ua.NodeClass.Variable
        item.ParentNodeId = parent
        item.ReferenceTypeId = _standard(ObjectIds.HasProperty)
        item.TypeDefinition = _standard(ObjectIds.PropertyType)
        item.NodeAttributes = _variable_attributes(
            name, "", ua.Variant(value), _standard(data_type), writable=False
        )
        items.append(item)
    return items
