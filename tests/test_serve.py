"""evalkit serve: the Voila command line it builds (the browser tests run it for real)."""

from __future__ import annotations

import json
from pathlib import Path

from evalkit.app.serve import ServeConfig, environment, is_loopback, voila_command, voila_settings, with_token
from evalkit.app.voilad import voila_config


def test_loopback_needs_no_token_and_other_addresses_get_one():
    local = with_token(ServeConfig(project=Path("p")))
    assert local.token == "" and is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    remote = with_token(ServeConfig(project=Path("p"), host="0.0.0.0"))
    assert len(remote.token) >= 24 and not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5")
    assert f"token={remote.token}" in remote.url()
    given = with_token(ServeConfig(project=Path("p"), host="10.0.0.2", token="secret"))
    assert given.token == "secret"


def test_voila_is_configured_in_python_not_on_its_command_line():
    config = with_token(ServeConfig(project=Path("p"), host="0.0.0.0", port=9999))
    assert voila_command()[1:] == ["-m", "evalkit.app.voilad"]  # no token, no settings in ps
    settings = voila_settings(config)
    assert config.token not in json.dumps(settings) and environment(config)["EVALKIT_TOKEN"] == config.token
    c = voila_config(settings, config.token)
    assert c.VoilaConfiguration.show_tracebacks is False and c.VoilaConfiguration.strip_sources is True
    assert c.Voila.port_retries == 0 and c.Voila.port == 9999 and c.Voila.token == config.token
    assert c.VoilaConfiguration.preheat_kernel is True and c.KernelManager.transport == "ipc"
    assert c.Voila.tornado_settings["allow_remote_access"] is True  # a LAN server: the token guards it
    local = voila_config(voila_settings(ServeConfig(project=Path("p"))), "")
    assert local.Voila.tornado_settings["allow_remote_access"] is False  # loopback: the Host check
    assert local.Voila.tornado_settings["xsrf_cookie_kwargs"]["samesite"] == "Lax"
    assert local.IdentityProvider.cookie_options["samesite"] == "Lax"


def test_every_page_has_preheated_kernels_and_evalkits_own_template():
    config = ServeConfig(project=Path("p"), pool_size=2)
    settings = voila_settings(config)
    assert settings["template"] == "evalkit"
    assert config.pool_sizes() == {"form.ipynb": 2, "records.ipynb": 1, "review.ipynb": 1, "sampling.ipynb": 1,
                                   "scoring.ipynb": 1, "ledger.ipynb": 1}
    assert settings["pools"]["scoring.ipynb"] == {"pool_size": 1} and settings["pools"]["default"] == {"pool_size": 0}
    template = Path(__file__).resolve().parent.parent / "evalkit" / "app" / "share" / "voila" / "templates" / "evalkit"
    page = (template / "index.html.j2").read_text(encoding="utf-8")
    assert "cdn" not in page.lower() and "https://" not in page  # nothing fetched from outside the server
    assert "Executing" not in (template / "voila_setup.macro.html.j2").read_text(encoding="utf-8")
    assert (template / "static" / "evalkit.js").is_file() and (template / "static" / "evalkit.css").is_file()
