"""``python -m numprec.cases.speedy``."""
import pytest

from numprec.cases.speedy.cli import main


def test_bad_options_exit_2(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--format", "e99m99x"])
    assert exc.value.code == 2
    assert "--format" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["--members", "0"])
    assert exc.value.code == 2


@pytest.mark.slow
def test_demonstration_writes_its_outputs(tmp_path, capsys):
    import xarray as xr
    out, fig = tmp_path / "speedy.nc", tmp_path / "speedy.png"
    assert main(["--days", "0.25", "--spinup-days", "1", "--members", "1", "--format",
                 "e11m23", "--output", str(out), "--plot", str(fig)]) == 0
    text = capsys.readouterr().out
    assert "e11m23" in text and "UNSTABLE" not in text
    ds = xr.open_dataset(out)
    assert list(ds.experiment.values) == ["double", "e11m23 nearest_even"]
    assert fig.stat().st_size > 0
