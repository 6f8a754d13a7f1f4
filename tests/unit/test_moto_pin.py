"""The local stack's moto patches refuse any moto but the pinned one."""

from __future__ import annotations

import moto
import pytest

from local import moto_answers, moto_pin, moto_queries, moto_transactions


def test_the_installed_moto_is_the_pinned_one() -> None:
    assert moto.__version__ == moto_pin.pinned_version()


@pytest.mark.parametrize("patch", [moto_answers, moto_queries, moto_transactions])
def test_each_patch_refuses_another_moto_version(patch, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(moto, "__version__", "0.0.1")
    with pytest.raises(RuntimeError, match=r"moto 0\.0\.1 is installed"):
        patch.install()
