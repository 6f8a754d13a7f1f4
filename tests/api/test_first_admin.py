"""A fresh deployment has nobody who can sign in: the operator opens the first administrator from a shell."""

from __future__ import annotations

import pytest

from chalicelib.config import reload_settings
from tests.helpers import Api, make_user


def test_the_first_admin_signs_in_with_the_printed_password_and_must_choose_another(client, capsys) -> None:
    from chalicelib.config import settings
    from infrastructure import first_admin

    prefix = settings().resource_prefix
    stage_env = {"STAGE": "local", "RESOURCE_PREFIX": prefix}
    # The command takes a deployed stage's variables; here the test stage's tables stand in for them.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("infrastructure.stack.stage_variables", lambda stage: {**stage_env, "STAGE": "local"})
        patch.setenv("LOCAL_STACK", "1")
        assert first_admin.main(["--stage", "prod", "--email", "Chief@Example.org", "--name", "Главная Анна"]) == 0
    reload_settings()  # as the tests had them (the command drops the local stack's flag)
    printed = capsys.readouterr().out
    password = printed.split("): ", 1)[1].split()[0]

    admin = Api(client)
    signed = admin.login("chief@example.org", password)
    assert signed.status_code == 200 and signed.json["user"]["must_change_password"] is True
    assert sorted(signed.json["user"]["roles"]) == ["admin", "registrar"]
    # Until a password of their own is set, the temporary one opens nothing else.
    assert admin.get("/audit").status_code == 403
    assert (
        admin.post("/me/password", {"current_password": password, "new_password": "a clinic of my own"}).status_code
        == 204
    )
    assert admin.get("/audit").status_code == 200


def test_a_taken_login_is_refused_and_left_alone(client, capsys) -> None:
    from infrastructure import first_admin

    make_user("chief@example.org", {"patient"})
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("infrastructure.stack.stage_variables", lambda stage: {"STAGE": "local"})
        patch.setenv("LOCAL_STACK", "1")
        assert first_admin.main(["--stage", "prod", "--email", "chief@example.org", "--name", "Кто-то"]) == 1
    reload_settings()
    assert "already exists" in capsys.readouterr().err
    assert Api(client).login("chief@example.org").json["user"]["roles"] == ["patient"]


def test_the_local_stage_is_refused() -> None:
    from infrastructure import first_admin

    with pytest.raises(SystemExit):
        first_admin.main(["--stage", "local", "--email", "a@example.org", "--name", "А"])
