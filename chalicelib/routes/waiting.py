"""The waiting queue: the patient in the lobby reports presence and device check; the doctor reads his queue."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib import roles
from chalicelib.rooms import service, waiting
from chalicelib.web.access import ANYONE, role
from chalicelib.web.routing import Call, Endpoints, ListOf, Model, Reply

bp = Blueprint(__name__)
api = Endpoints(bp, "waiting")
DOCTOR = role(roles.DOCTOR)


def _enter(call: Call, room_id: str) -> Any:
    token = call.header_values.get("X-Room-Token")
    return service.enter(room_id, token, None if token else call.principal)


@api.put(
    "/rooms/{room_id}/waiting",
    access=ANYONE,
    summary="The patient (by the link's token or their session) is in the lobby, with the device check; "
    "again every 15 s while waiting",
    headers=Model("rooms.RoomHeaders"),
    body=Model("waiting.WaitingReport"),
    response=Model("waiting.WaitingSeen"),
    errors=("validation_error", "forbidden", "not_found", "lobby_not_open", "consultation_ended", "room_closed"),
)
def report(call: Call, room_id: str) -> dict[str, Any]:
    room, who = _enter(call, room_id)
    return waiting.report(room, who, call.body)


@api.delete(
    "/rooms/{room_id}/waiting",
    access=ANYONE,
    summary="The patient left the lobby (the call began, the page closed): no longer in the doctor's queue",
    headers=Model("rooms.RoomHeaders"),
    ok=204,
    errors=("forbidden", "not_found"),
)
def leave(call: Call, room_id: str) -> Reply:
    room, who = _enter(call, room_id)
    waiting.leave(room, who)
    return Reply(None, status=204)


@api.get(
    "/doctor/waiting",
    access=DOCTOR,
    summary="Who waits now in the lobby of the doctor's rooms: name, since when, the device check's verdict",
    response=ListOf("waiting.WaitingPatient"),
    errors=("not_signed_in", "forbidden"),
)
def queue(call: Call) -> list[dict[str, Any]]:
    return waiting.queue(call.principal)
