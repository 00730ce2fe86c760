import json

from dronedel.cli import main


def test_demo_runs_the_whole_pipeline_and_reruns_on_edited_inputs(tmp_path, capsys):
    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    for name in ("input/site.toml", "input/orders.csv", "input/example.openair.txt", "map.png", "zone.geojson",
                 "zone.png", "plan/plan.json", "plan/plan.csv", "simulation/metrics.json",
                 "simulation/service_map.png", "simulation/timeline.png", "simulation/service_vs_fleet.png"):
        assert (out / name).is_file(), name
    plan = json.loads((out / "plan" / "plan.json").read_text())
    decisions = plan["decisions"]
    orders = (out / "input" / "orders.csv").read_text().strip().splitlines()[1:]
    assert len(decisions) == len(orders)
    accepted = [d for d in decisions if d["status"] == "accepted"]
    assert accepted and all(d["reason"] for d in decisions if d["status"] == "rejected")
    for d in accepted:
        assert (out / "plan" / "missions" / f"{d['order_id']}.plan").is_file()
        assert (out / "plan" / "missions" / f"{d['order_id']}.waypoints").is_file()
    assert f"{len(accepted)} of {len(decisions)} orders promised within 30 minutes" in printed
    assert "kyle-field-stadium" in printed  # the zone table

    # a user edits the copied inputs (a smaller fleet) and reruns: the edit is kept and used
    site = out / "input" / "site.toml"
    site.write_text(site.read_text().replace("drones = 8", "drones = 2"))
    assert main(["demo", "--out", str(out)]) == 0
    assert "drones = 2" in site.read_text()
    again = json.loads((out / "plan" / "plan.json").read_text())
    assert again["fleet"]["drones"] == 2
    assert again["summary"]["accepted"] < len(accepted)
