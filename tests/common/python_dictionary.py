"""Dump python-diameter's dictionary facts as JSON for tests/python_dictionary_interop.rs.

Prints one JSON object:

* "commands": every message class with AVP attributes (diameter.message.commands), with
  the applications it serves (python-diameter keys classes by command code only; the map
  below names the applications each module's docstring says it implements: the first is the
  one the class follows, the others the interfaces whose AVPs it adds) and its AVPs in
  `avp_def` order: code, vendor, name, required (`is_required`) and repeated (the attribute
  is annotated as a list, or a fresh instance holds a list).
* "enums": the enumerated values of diameter.message.constants (`E_<AVP>_<VALUE>`), each
  group attached to the `AVP_<AVP>` constant written above it, with the AVP's vendor from
  diameter.message.avp.dictionary.
* "unmapped": command modules the map below does not name (new in a later release).
"""
import inspect
import json
import re
import sys

import diameter.message.commands as commands
from diameter.message import constants
from diameter.message._base import DefinedMessage
from diameter.message.avp import dictionary

# module -> application ids: the one the classes follow first, then the interfaces whose
# AVPs python-diameter merges into the same class.
APPLICATIONS = {
    "capabilities_exchange": [0],
    "device_watchdog": [0],
    "disconnect_peer": [0],
    "re_auth": [0, 1, 4, 16777238],
    "abort_session": [0, 1],
    "session_termination": [0, 1],
    "accounting": [3],
    "aa": [1, 16777236],
    "credit_control": [4, 16777238],
    "diameter_eap": [5],
    "update_location": [16777251],
    "cancel_location": [16777251],
    "authentication_information": [16777251],
    "insert_subscriber_data": [16777251],
    "delete_subscriber_data": [16777251],
    "purge_ue": [16777251],
    "reset": [16777251],
    "notify": [16777251],
    "me_identity_check": [16777252],
    "user_authorization": [16777216],
    "server_assignment": [16777216],
    "location_info": [16777216],
    "multimedia_auth": [16777216],
    "registration_termination": [16777216],
    "push_profile": [16777216],
    "user_data": [16777217],
    "profile_update": [16777217],
    "subscribe_notifications": [16777217],
    "push_notification": [16777217],
    "spending_limit": [16777302],
    "spending_status_notification": [16777302],
    # Not in the shipped set: RFC 4004 Mobile IPv4 (application 2), TS 29.272 S7a/S7d.
    "aa_mobile_node": [2],
    "home_agent_mip": [2],
    "update_vcsg_location": [16777308],
    "cancel_vcsg_location": [16777308],
}


def avp_name(code, vendor):
    table = dictionary.AVP_DICTIONARY if vendor == 0 else dictionary.AVP_VENDOR_DICTIONARY.get(vendor, {})
    info = table.get(code)
    return info["name"] if info else None


def dump_commands():
    out, unmapped = [], set()
    for cls_name, cls in inspect.getmembers(commands, inspect.isclass):
        if not (issubclass(cls, DefinedMessage) and "avp_def" in cls.__dict__):
            continue
        module = cls.__module__.rsplit(".", 1)[-1]
        if module not in APPLICATIONS:
            unmapped.add(module)
            continue
        instance = cls()
        annotations = {}
        for base in reversed(cls.__mro__):
            annotations.update(getattr(base, "__annotations__", {}))
        avps = []
        for gen in cls.avp_def:
            avps.append({
                "attr": gen.attr_name,
                "code": gen.avp_code,
                "vendor": gen.vendor_id,
                "name": avp_name(gen.avp_code, gen.vendor_id),
                "required": bool(gen.is_required),
                "repeated": isinstance(getattr(instance, gen.attr_name, None), list)
                or str(annotations.get(gen.attr_name, "")).startswith("list["),
            })
        out.append({
            "class": cls_name,
            "module": module,
            "code": cls.code,
            "request": bool(instance.header.is_request),
            "applications": APPLICATIONS[module],
            "avps": avps,
        })
    return out, sorted(unmapped)


def avp_vendors():
    """AVP constant name -> vendor, from the dictionary module's source (its keys)."""
    source = open(inspect.getsourcefile(dictionary), encoding="utf-8").read()
    vendors = {}
    for m in re.finditer(r'^\s+(AVP_\w+): \{"name": "[^"]*"(.*)\}', source, re.M):
        v = re.search(r'"vendor": (\d+)', m.group(2))
        vendors.setdefault(m.group(1), int(v.group(1)) if v else 0)
    return vendors


def value_label(avp_const, enum_const):
    """The value part of `E_<AVP>_<VALUE>`: the AVP part is the constant's name without
    `AVP_`, with or without its vendor word (`AVP_TGPP_RAT_TYPE` -> `E_RAT_TYPE_...`)."""
    rest = avp_const[len("AVP_"):]
    candidates = [rest]
    if "_" in rest:
        candidates.append(rest.split("_", 1)[1])
    for c in sorted(candidates, key=len, reverse=True):
        prefix = "E_" + c + "_"
        if enum_const.startswith(prefix):
            return enum_const[len(prefix):]
        if enum_const == prefix[:-1]:
            return ""
    return None


def dump_enums():
    source = open(inspect.getsourcefile(constants), encoding="utf-8").read()
    vendors = avp_vendors()
    groups = []  # AVP constants in file order, each with the values written under it
    for line in source.splitlines():
        m = re.match(r"^(AVP_\w+) = (\d+)", line)
        if m:
            groups.append({"const": m.group(1), "code": int(m.group(2)), "values": []})
            continue
        m = re.match(r"^(E_\w+) = (-?\d+)", line)
        if m and groups:
            const, value = m.group(1), int(m.group(2))
            # Usually the AVP constant just above; sometimes a few lines higher
            # (`AVP_TGPP_SL_REQUEST_TYPE` then `AVP_TGPP_SN_REQUEST_TYPE`, then SL's values).
            owner = next((g for g in reversed(groups[-8:]) if value_label(g["const"], const) is not None),
                         groups[-1])
            owner["values"].append({"const": const, "label": value_label(owner["const"], const),
                                    "value": value})
    out = []
    for g in groups:
        if not g["values"] or g["const"] not in vendors:
            continue
        vendor = vendors[g["const"]]
        out.append({
            "const": g["const"],
            "code": g["code"],
            "vendor": vendor,
            "name": avp_name(g["code"], vendor),
            "values": g["values"],
        })
    return out


def main():
    cmds, unmapped = dump_commands()
    json.dump({"commands": cmds, "enums": dump_enums(), "unmapped": unmapped}, sys.stdout)


if __name__ == "__main__":
    main()
