"""Write notebooks/tour.ipynb, a guided tour of the psikometri API on the sample data.

Run: python notebooks/_make_tour.py   (edit this script, not the notebook)
"""

from _nbtools import write_notebook

CELLS = [
    ("md", "# A guided tour of psikometri\n\nThis notebook walks through the library on the simulated sample data "
           "in `data_samples/`: load and validate, then reliability, assessor agreement, generalizability, "
           "predictive validity, fairness and talent management. Every number is a library call; change the "
           "parameters below to look at another agency."),
    ("code", 'data_path = "../data_samples"\nagency = "kota_bahari"\nn_boot = 1000\nseed = 2026', ["parameters"]),
    ("code", "import numpy as np\nimport pandas as pd\nimport psikometri as pk\n\n"
             "data = pk.load_assessment(data_path, warn=False)\ndata.summary()"),
    ("md", "## One agency\n`for_agency` keeps one agency's rows. The overall assessment rating (OAR) is the mean of "
           "all of a candidate's ratings (`d.overall_rating()`; `pk.overall_rating(ratings, by='competency', "
           "weights=...)` gives a weighted mean of the competency means instead). Candidates are matched by id: "
           "`join` lines the OAR up with the candidates table."),
    ("code", "d = data.for_agency(agency)\nratings = d.ratings\n"
             "cand = d.candidates.astype({'candidate': str}).set_index('candidate')\n"
             "cand = cand.join(d.overall_rating())\n"
             "cand[['position_level', 'gender', 'cognitive', 'performance', 'selected', 'oar']].describe()"),
    ("md", "## Reliability of the psychological test\nCronbach's alpha with a BCa bootstrap interval, McDonald's "
           "omega, Guttman's lambdas and item statistics, as R psych computes them."),
    ("code", "items = d.items.drop(columns='candidate')\n"
             "pk.cronbach_alpha(items, ci='bca', n_boot=n_boot, seed=seed)"),
    ("code", "pk.reliability_summary(items).round(3)"),
    ("code", "pk.item_analysis(items).round(3)"),
    ("md", "## Do the assessors agree?\nTwo assessors rate each candidate x competency x exercise cell; because "
           "the pair changes from candidate to candidate, the one-way ICC(1) is the right form. `cell_ratings` "
           "puts the ratings of each cell side by side (one row per cell, one column per assessor slot)."),
    ("code", "cells = pk.cell_ratings(ratings)\n"
             "pk.icc(cells.reset_index(drop=True)).round(3)"),
    ("code", "pk.krippendorff_alpha(cells.reset_index(drop=True), level_of_measurement='interval', n_boot=n_boot, "
             "seed=seed)"),
    ("code", "diag = pk.assessor_diagnostics(ratings)\ndiag[diag['flagged']].round(2).head(10)"),
    ("md", "## Where does the variance come from?\nA G study splits the ratings' variance into candidate, "
           "candidate x competency, candidate x exercise, assessor and residual parts; the D study shows what more "
           "assessors or exercises would buy. See `gtheory_tour.ipynb` for the full explanation."),
    ("code", "g = pk.g_study(ratings, score='score', person='candidate', facets=['competency', 'exercise', "
             "'assessor'], nested={'assessor': 'exercise'})\ng.components.round(4)"),
    ("code", "g.d_study(exercise=[3, 4, 5, 6], assessor=[1, 2, 3]).round(3)"),
    ("md", "## Does the assessment predict performance?\nPerformance is known only for the selected candidates, "
           "so the observed correlation is range-restricted; Case IV corrects it (Hunter, Schmidt & Le 2006)."),
    ("code", "pk.validity_study(cand[['oar', 'performance']], predictor='oar', criterion='performance', rxxa=g.g_coefficient, "
             "ryyi=0.52, n_boot=n_boot, seed=seed).round(3)"),
    ("code", "iv = pk.incremental_validity(cand[['performance', 'cognitive', 'oar']].dropna(), criterion='performance', "
             "base=['cognitive'], added=['oar'], n_boot=n_boot, seed=seed)\niv"),
    ("md", "## Is it fair?\nSelection rates by gender (four-fifths rule) and standardized score differences."),
    ("code", "pk.adverse_impact(cand, group='gender', selected='selected').round(3)"),
    ("code", "pk.subgroup_differences(cand, group='gender', score='oar').round(3)"),
    ("md", "## Talent management\nJob Person Match against the standard of each post, its categories, and the "
           "nine-box grid with the probability that each placement is right. The achieved level on a competency "
           "is the candidate's mean rating on it, rounded half up (`d.achieved_levels()`). The talent functions "
           "match their inputs by candidate id (the index), in any order."),
    ("code", "achieved = d.achieved_levels()\n"
             "jpm = pk.job_person_match(achieved, cand['position_level'])\n"
             "pk.jpm_category(jpm).value_counts()"),
    ("code", "# candidates without a performance rating are left out of the grid (their rows are NaN)\n"
             "pc = pk.placement_consistency(jpm, cand['performance'], potential_reliability=g.g_coefficient, "
             "performance_reliability=0.52, potential_cuts=(78, 90), performance_cuts=(70, 85), n_sim=2000, "
             "seed=seed)\npc.attrs['consistency'].round(3)"),
    ("code", "pk.plot_nine_box(pc, lang='en');"),
]


def main():
    print(write_notebook(CELLS, "tour.ipynb", "tour"))


if __name__ == "__main__":
    main()
