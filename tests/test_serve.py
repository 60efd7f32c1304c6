"""evalkit serve: the Voila command line it builds (the browser tests run it for real)."""

from __future__ import annotations

from pathlib import Path

from evalkit.app.serve import ServeConfig, is_loopback, voila_command, with_token


def test_loopback_needs_no_token_and_other_addresses_get_one():
    local = with_token(ServeConfig(project=Path("p")))
    assert local.token == "" and is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    remote = with_token(ServeConfig(project=Path("p"), host="0.0.0.0"))
    assert len(remote.token) >= 24 and not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5")
    assert f"token={remote.token}" in remote.url()
    given = with_token(ServeConfig(project=Path("p"), host="10.0.0.2", token="secret"))
    assert given.token == "secret"


def test_command_hides_tracebacks_and_sources_and_fails_on_a_busy_port():
    cmd = voila_command(with_token(ServeConfig(project=Path("p"), host="0.0.0.0", port=9999)))
    assert "--VoilaConfiguration.show_tracebacks=False" in cmd
    assert "--VoilaConfiguration.strip_sources=True" in cmd
    assert "--Voila.port_retries=0" in cmd and "--Voila.port=9999" in cmd
    assert any(c.startswith("--Voila.token=") and len(c) > len("--Voila.token=") for c in cmd)
    assert "--VoilaConfiguration.preheat_kernel=True" in cmd


def test_every_page_has_preheated_kernels_and_evalkits_own_template():
    config = ServeConfig(project=Path("p"), pool_size=2)
    cmd = voila_command(config)
    assert "--VoilaConfiguration.template=evalkit" in cmd
    assert config.pool_sizes() == {"form.ipynb": 2, "records.ipynb": 1, "review.ipynb": 1, "sampling.ipynb": 1,
                                   "scoring.ipynb": 1, "ledger.ipynb": 1}
    pools = next(c for c in cmd if c.startswith("--VoilaKernelManager.kernel_pools_config="))
    assert "'scoring.ipynb': {'pool_size': 1}" in pools and not any("preheat_denylist" in c for c in cmd)
    template = Path(__file__).resolve().parent.parent / "evalkit" / "app" / "share" / "voila" / "templates" / "evalkit"
    page = (template / "index.html.j2").read_text(encoding="utf-8")
    assert "cdn" not in page.lower() and "https://" not in page  # nothing fetched from outside the server
    assert "Executing" not in (template / "voila_setup.macro.html.j2").read_text(encoding="utf-8")
    assert (template / "static" / "evalkit.js").is_file() and (template / "static" / "evalkit.css").is_file()
