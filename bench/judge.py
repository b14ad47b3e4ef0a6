#!/usr/bin/python3
"""Reference checker for battery plans in the scenario format (independent of the planner's code).

  judge.py lp SCENARIO.json              -> LP lower bound of netCost (PuLP + CBC) and idle cost
  judge.py check SCENARIO.json PLAN.json [--actual] -> re-simulates the plan's per-slot chargeKwh/dischargeKwh,
                                            checks physics, prints netCost, bound and captured share

Physics and cost follow docs/scenario-format.md.
"""
import json
import sys

import pulp


def load(path):
    with open(path) as f:
        return json.load(f)


def lp_bound(sc, exclusive=True):
    """Optimal netCost with continuous battery power. exclusive=True is the scenario model (a MILP):
    no charging and discharging in one slot, no importing and exporting in one slot, PV curtailed only
    when exporting. False gives the plain LP relaxation, a looser lower bound."""
    b, g, slots = sc["battery"], sc["grid"], sc["slots"]
    h = sc["slotMinutes"] / 60.0
    n = len(slots)
    m = pulp.LpProblem("bound", pulp.LpMinimize)
    c = [pulp.LpVariable(f"c{t}", 0, b["maxChargeKw"] * h) for t in range(n)]
    d = [pulp.LpVariable(f"d{t}", 0, b["maxDischargeKw"] * h) for t in range(n)]
    imp = [pulp.LpVariable(f"i{t}", 0, g["maxImportKw"] * h) for t in range(n)]
    exp = [pulp.LpVariable(f"e{t}", 0, g["maxExportKw"] * h) for t in range(n)]
    cur = [pulp.LpVariable(f"u{t}", 0, slots[t]["pvKwh"]) for t in range(n)]
    soc = [pulp.LpVariable(f"s{t}", b["minSocKwh"], b["capacityKwh"]) for t in range(n + 1)]
    m += soc[0] == b["initialSocKwh"]
    for t, s in enumerate(slots):
        m += soc[t + 1] == soc[t] + c[t] * b["chargeEfficiency"] - d[t] * (1.0 / b["dischargeEfficiency"])
        m += imp[t] - exp[t] == s["loadKwh"] - (s["pvKwh"] - cur[t]) + c[t] - d[t]
        if exclusive:
            # the battery either charges or discharges in a slot
            z = pulp.LpVariable(f"z{t}", cat="Binary")
            m += c[t] <= b["maxChargeKw"] * h * z
            m += d[t] <= b["maxDischargeKw"] * h * (1 - z)
            # the meter is net: a slot either imports or exports, and PV is curtailed only when exporting
            y = pulp.LpVariable(f"y{t}", cat="Binary")
            m += imp[t] <= g["maxImportKw"] * h * y
            m += exp[t] <= g["maxExportKw"] * h * (1 - y)
            m += cur[t] <= s["pvKwh"] * (1 - y)
    obj = pulp.lpSum(imp[t] * s["importPrice"] - exp[t] * s["exportPrice"] + d[t] * b.get("cycleCostPerKwh", 0.0)
                     for t, s in enumerate(slots))
    obj -= sc.get("terminalValuePerKwh", 0.0) * (soc[n] - b["initialSocKwh"])
    m += obj
    m.solve(pulp.COIN_CMD(msg=False, timeLimit=120, gapRel=1e-6))
    if pulp.LpStatus[m.status] != "Optimal":
        raise SystemExit(f"LP status {pulp.LpStatus[m.status]}")
    return pulp.value(m.objective)


def settle(s, c, d, g, h):
    """Grid flows for one slot given battery flows; curtails PV only where exporting would cost
    money or exceed the export limit. Returns (import, export, error or None)."""
    net = s["loadKwh"] - s["pvKwh"] + c - d
    if net >= 0:
        err = f"import {net:.3f} over limit" if net > g["maxImportKw"] * h + 1e-3 else None
        return net, 0.0, err
    surplus = -net
    min_exp = max(0.0, surplus - s["pvKwh"])
    max_exp = min(surplus, g["maxExportKw"] * h)
    err = f"export {min_exp:.3f} over limit" if min_exp > g["maxExportKw"] * h + 1e-3 else None
    return 0.0, (max_exp if s["exportPrice"] >= 0 else min_exp), err


def idle_cost(sc):
    """Cost with the battery left idle: the 'do nothing' reference."""
    g, h = sc["grid"], sc["slotMinutes"] / 60.0
    total = 0.0
    for s in sc["slots"]:
        imp, exp, _ = settle(s, 0.0, 0.0, g, h)
        total += imp * s["importPrice"] - exp * s["exportPrice"]
    return total


def check(sc, plan):
    b, g, slots = sc["battery"], sc["grid"], sc["slots"]
    h = sc["slotMinutes"] / 60.0
    ps = plan["slots"]
    errs = []
    if len(ps) != len(slots):
        return None, [f"plan has {len(ps)} slots, scenario {len(slots)}"]
    soc = b["initialSocKwh"]
    total = 0.0
    for t, (s, p) in enumerate(zip(slots, ps)):
        c, d = float(p["chargeKwh"]), float(p["dischargeKwh"])
        if c < -1e-6 or d < -1e-6:
            errs.append(f"slot {t}: negative flow")
        if c > b["maxChargeKw"] * h + 1e-4 or d > b["maxDischargeKw"] * h + 1e-4:
            errs.append(f"slot {t}: flow over power limit c={c} d={d}")
        soc = soc + c * b["chargeEfficiency"] - d / b["dischargeEfficiency"]
        if soc < b["minSocKwh"] - 1e-3 or soc > b["capacityKwh"] + 1e-3:
            errs.append(f"slot {t}: soc {soc:.4f} out of [{b['minSocKwh']}, {b['capacityKwh']}]")
        imp, exp, err = settle(s, c, d, g, h)
        if err:
            errs.append(f"slot {t}: {err}")
        total += imp * s["importPrice"] - exp * s["exportPrice"] + d * b.get("cycleCostPerKwh", 0.0)
        if "socKwh" in p and abs(float(p["socKwh"]) - soc) > 0.02 + 0.002 * b["capacityKwh"]:
            errs.append(f"slot {t}: plan says soc {p['socKwh']} but physics gives {soc:.4f}")
    total -= sc.get("terminalValuePerKwh", 0.0) * (soc - b["initialSocKwh"])
    return total, errs


def main():
    if sys.argv[1] == "lp":
        sc = load(sys.argv[2])
        print(json.dumps({"optimum": lp_bound(sc), "lpRelaxation": lp_bound(sc, False), "idleCost": idle_cost(sc)}))
        return
    sc, plan = load(sys.argv[2]), load(sys.argv[3])
    if "--actual" in sys.argv:  # judge realised flows against what really happened
        for s in sc["slots"]:
            s["loadKwh"] = s.get("actualLoadKwh", s["loadKwh"])
            s["pvKwh"] = s.get("actualPvKwh", s["pvKwh"])
    cost, errs = check(sc, plan)
    bound, idle = lp_bound(sc), idle_cost(sc)
    out = {"netCost": cost, "optimum": bound, "idleCost": idle, "errorCount": len(errs), "errors": errs[:10]}
    if cost is not None:
        span = idle - bound  # the saving that a perfect plan would capture
        out["captured"] = (idle - cost) / span if span > 1e-9 else 1.0
    print(json.dumps(out))
    sys.exit(1 if errs or cost is None else 0)


if __name__ == "__main__":
    main()
