#!/usr/bin/env python3
"""Writes the scenario presets gcm_2018.json, hlpf.json and unfccc.json next to this script.

    python3 examples/scenarios/presets.py

Deterministic (no random numbers): the files it writes are the ones committed. The GCM 2018
preset takes the population and behaviour of gcm_2017.json; HLPF and UNFCCC need tags
(`major_group`, `constituency`, `focal_point`) that a generated population does not have, so
their organisations are written out, one per line. Every number here that the README's tables
do not mark as sourced is an assumption.
"""

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent


def spread(count, weights):
    """`count` items over the keys of `weights` (largest remainders, ties by key order), then
    interleaved so that consecutive items cycle through the keys."""
    total = sum(weights.values())
    quotas = {k: count * w / total for k, w in weights.items()}
    seats = {k: int(q) for k, q in quotas.items()}
    left = count - sum(seats.values())
    for k in sorted(weights, key=lambda k: -(quotas[k] - seats[k]))[:left]:
        seats[k] += 1
    order = []
    while any(seats.values()):
        for k in weights:
            if seats[k]:
                order.append(k)
                seats[k] -= 1
    return order


def organisation(id_, region, kind, tags):
    return {"id": id_, "region": region, "kind": kind, "tags": tags}


def write(name, scenario):
    """JSON with two-space indentation, each organisation on one line."""
    organisations = scenario["population"].get("organisations")
    if organisations is not None:
        scenario = dict(scenario, population={"organisations": "@ORGANISATIONS@"})
    text = json.dumps(scenario, indent=2, ensure_ascii=False)
    if organisations is not None:
        lines = ",\n".join("      " + json.dumps(o, ensure_ascii=False) for o in organisations)
        text = text.replace('"@ORGANISATIONS@"', "[\n" + lines + "\n    ]")
    (HERE / f"{name}.json").write_text(text + "\n")


def policy(label, description, joint=None):
    labelled = {"label": label, "policy": description}
    if joint is not None:
        labelled["joint_statements"] = joint
    return labelled


def group_members(tag, group, kinds, regions, international_regions):
    """The organisations of one HLPF major group or UNFCCC constituency, tagged `tag`:
    each kind's count spread over `regions` (international NGOs over
    `international_regions`), ids `group-kind-i`."""
    members = []
    for kind, count in kinds.items():
        weights = international_regions if kind == "international_ngo" else regions
        for i, region in enumerate(spread(count, weights)):
            # A tags dict of its own: focal points are marked in it afterwards.
            members.append(organisation(f"{group}-{kind}-{i}", region, kind, {tag: group}))
    return members


def behaviour(ask_probability, themes):
    """The behaviour of a preset with an explicit population: two themes per organisation."""
    return {"ask_probability": ask_probability, "themes": themes,
            "themes_per_organisation": 2}


def gcm_2018():
    process = json.loads((HERE / "gcm_process.json").read_text())
    base = json.loads((HERE / "gcm_2017.json").read_text())
    rounds = [
        "2018-02-20 and 2018-02-22/23",
        "2018-03-12/15",
        "2018-04-03/06",
        "2018-05-14/18",
        "2018-06-04/08",
        "2018-07-09/13",
    ]
    assert process["negotiations_2018"]["rounds"] == rounds, "gcm_process.json changed"
    chair = {"id": "co_facilitators", "min_slots": 1, "max_slots": 2,
             "familiarity": {"international_ngo": 3.0}}
    sessions = [
        {"id": f"round{n}",
         "title": f"Intergovernmental negotiations, round {n} ({dates}): civil-society "
                  "interventions at the end, two 3-minute slots (assumption)",
         "slots": 2, "minutes_per_slot": 3, "length_minutes": 180, "placement": "end",
         "chair": chair}
        for n, dates in enumerate(rounds, 1)
    ]
    behaviour = dict(base["behaviour"], joint_statements={"by": "region"})
    crr = {"name": "constituency_round_robin", "category": "region", "within": "focal_point"}
    none = "none"
    policies = [
        policy("practice_2017", {"name": "chair_discretion"}, none),
        policy("chair_focal_points", {"name": "chair_discretion"}),
        policy("focal_points_2018", crr),
        policy("region_turns_alone", crr, none),
        policy("regional_balance", {"name": "regional_balance"}, none),
        policy("regional_balance_focal_points", {"name": "regional_balance"}),
        policy("grassroots_reserved", {"name": "grassroots_priority", "mode": "reserved",
                                       "share": 0.5}, none),
        policy("rotation", {"name": "rotation"}, none),
        policy("fair_lottery_regions",
               {"name": "fair_lottery", "process": True, "objective": "maximin",
                "quotas": [{"category": "region",
                            "max": {r: 1 for r in ["africa", "asia", "europe", "latin_america",
                                                   "mena", "north_america", "pacific"]}}]},
               none),
    ]
    return {
        "name": "gcm_2018",
        "description": "The six intergovernmental negotiation rounds of the GCM, February to "
                       "July 2018 (dates: co-facilitators' letter of 22 December 2017), with the "
                       "population and behaviour of the GCM 2017 preset. Civil-society regional "
                       "focal points: in each round the organisations of a region that ask to "
                       "speak make one joint statement through their focal point "
                       "(behaviour.joint_statements by region); policies marked "
                       "\"joint_statements\": \"none\" are the same process without them. Two "
                       "3-minute slots at the end of each round is an assumption (the thematic-"
                       "session model). Sources and assumptions: README, 'The GCM 2018 preset'.",
        "population": base["population"],
        "grassroots_class": base["grassroots_class"],
        "sessions": sessions,
        "behaviour": behaviour,
        "policies": policies,
        "baseline": "practice_2017",
        "runs": 10000,
        "seed": 2018,
    }


HLPF_GROUPS = [
    # (major group, kinds and counts, organising partners)
    ("women", {"national_ngo": 24, "grassroots": 16}, 2),
    ("children_and_youth", {"grassroots": 40}, 2),
    ("indigenous_peoples", {"grassroots": 30}, 2),
    ("ngos", {"international_ngo": 20, "national_ngo": 60}, None),
    ("local_authorities", {"local_authority": 25}, 2),
    ("workers_and_trade_unions", {"trade_union": 25}, 2),
    ("business_and_industry", {"private_sector": 35}, 2),
    ("scientific_and_technological_community", {"academia": 35}, 2),
    ("farmers", {"grassroots": 25}, 2),
]
HLPF_REGIONS = {"africa": 20, "asia": 18, "europe": 15, "north_america": 10,
                "south_america": 10, "mena": 9, "caribbean": 9, "pacific": 9}


def hlpf():
    organisations = []
    for group, kinds, partners in HLPF_GROUPS:
        members = group_members("major_group", group, kinds, HLPF_REGIONS,
                                {"europe": 1, "north_america": 1})
        if partners is None:
            # The NGO Major Group: 3 global organising partners (international NGOs) and 8
            # regional ones (a national NGO of each region).
            focal = [m for m in members if m["kind"] == "international_ngo"][:3]
            for region in HLPF_REGIONS:
                focal.append(next(m for m in members
                                  if m["kind"] == "national_ngo" and m["region"] == region))
        else:
            focal = members[:partners]
        for m in focal:
            m["tags"]["focal_point"] = "true"
        organisations.extend(members)
    groups = [g for g, _, _ in HLPF_GROUPS]
    crr = {"name": "constituency_round_robin", "category": "tag:major_group",
           "constituencies": groups, "within": "focal_point", "time": {"fixed": 5}}
    chair = {"id": "chair", "min_slots": 3, "max_slots": 3,
             "familiarity": {"international_ngo": 3.0}}
    sessions = [
        {"id": f"day{n}", "title": f"HLPF meeting day {n}: three 5-minute MGoS interventions "
                                   "(assumption on the count; 5 minutes: HLPF 2016)",
         "slots": 3, "minutes_per_slot": 5, "length_minutes": 180, "placement": "end",
         "chair": chair}
        for n in range(1, 9)
    ]
    none = "none"
    return {
        "name": "hlpf",
        "description": "The High-level Political Forum with its Major Groups and other "
                       "Stakeholders (A/RES/67/290, para. 15-16): "
                       f"{len(organisations)} organisations of the nine Agenda 21 Major Groups, tagged major_group, with their organising "
                       "partners as focal points (the NGO Major Group's 3 global and 8 regional "
                       "organising partners; 2 per other group, an assumption); eight meeting "
                       "days with three MGoS interventions of 5 minutes each. Written by "
                       "examples/scenarios/presets.py. Sources and assumptions: README, 'The "
                       "HLPF preset'.",
        "population": {"organisations": organisations},
        "sessions": sessions,
        "behaviour": behaviour(
            {"international_ngo": 0.8, "national_ngo": 0.3, "private_sector": 0.3,
             "trade_union": 0.3, "local_authority": 0.2, "academia": 0.2, "grassroots": 0.1},
            ["sdg4_education", "sdg5_gender_equality", "sdg13_climate", "sdg14_oceans",
             "sdg15_land", "sdg17_partnerships"]),
        "policies": [
            policy("chair_discretion", {"name": "chair_discretion"}),
            policy("fcfs", {"name": "fcfs"}),
            policy("major_groups", crr),
            policy("major_groups_statements", crr, {"by": "tag:major_group"}),
            policy("major_groups_lottery", dict(crr, within="lottery")),
            policy("regional_balance", {"name": "regional_balance"}),
            policy("grassroots_reserved", {"name": "grassroots_priority", "mode": "reserved",
                                           "share": 0.33}),
        ],
        "baseline": "chair_discretion",
        "runs": 10000,
        "seed": 2016,
    }


UNFCCC_CONSTITUENCIES = [
    # (constituency, kinds and counts)
    ("bingo", {"private_sector": 60}),
    ("engo", {"international_ngo": 30, "national_ngo": 80}),
    ("ipo", {"grassroots": 25}),
    ("lgma", {"local_authority": 20}),
    ("ringo", {"academia": 90}),
    ("tungo", {"trade_union": 15}),
    ("farmers", {"grassroots": 15}),
    ("women_and_gender", {"national_ngo": 15, "grassroots": 10}),
    ("youngo", {"grassroots": 30}),
]
UN_REGIONS = {"african": 20, "asia_pacific": 25, "eastern_european": 10,
              "latin_american_caribbean": 15, "weog": 30}


def unfccc():
    organisations = []
    for constituency, kinds in UNFCCC_CONSTITUENCIES:
        members = group_members("constituency", constituency, kinds, UN_REGIONS, {"weog": 1})
        members[0]["tags"]["focal_point"] = "true"
        organisations.extend(members)
    names = [c for c, _ in UNFCCC_CONSTITUENCIES]
    crr = {"name": "constituency_round_robin", "category": "tag:constituency",
           "constituencies": names, "within": "rotation", "time": {"fixed": 2}}
    chair = {"id": "president", "min_slots": 9, "max_slots": 9,
             "familiarity": {"international_ngo": 3.0}}
    meetings = ["cop_opening", "sbsta_opening", "sbi_opening", "sbsta_closing", "sbi_closing",
                "cop_closing"]
    sessions = [
        {"id": m, "title": f"{m.replace('_', ' ').upper()} plenary: one 2-minute intervention "
                           "slot per constituency, time permitting (assumption)",
         "slots": 9, "minutes_per_slot": 2, "length_minutes": 180, "placement": "end",
         "chair": chair}
        for m in meetings
    ]
    return {
        "name": "unfccc",
        "description": "A UNFCCC session's opening and closing plenaries (COP, SBSTA, SBI) "
                       "with the nine observer constituencies (BINGO, ENGO, IPO, LGMA, RINGO, "
                       "TUNGO, Farmers, Women and Gender, YOUNGO), each with a focal point; "
                       f"2-minute interventions. {len(organisations)} organisations tagged "
                       "constituency, written "
                       "by examples/scenarios/presets.py. Sources and assumptions: README, 'The "
                       "UNFCCC preset'.",
        "population": {"organisations": organisations},
        "sessions": sessions,
        "behaviour": behaviour(
            {"international_ngo": 0.8, "national_ngo": 0.3, "private_sector": 0.4,
             "trade_union": 0.4, "local_authority": 0.3, "academia": 0.2, "grassroots": 0.15},
            ["mitigation", "adaptation", "finance", "loss_and_damage", "just_transition",
             "gender_action_plan"]),
        "policies": [
            policy("chair_discretion", {"name": "chair_discretion"}),
            policy("fcfs", {"name": "fcfs"}),
            policy("constituencies", crr),
            policy("constituencies_statements", crr, {"by": "tag:constituency"}),
            policy("constituencies_focal_point", dict(crr, within="focal_point")),
            policy("regional_balance", {"name": "regional_balance"}),
        ],
        "baseline": "chair_discretion",
        "runs": 10000,
        "seed": 1992,
    }


if __name__ == "__main__":
    write("gcm_2018", gcm_2018())
    write("hlpf", hlpf())
    write("unfccc", unfccc())
