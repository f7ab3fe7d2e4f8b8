"""Write notebooks/agency_report.ipynb (run: python notebooks/_make_agency_report.py).

The notebook is thin on purpose: literals only in the `parameters` cell, then one
psikometri call per section. Edit this script, not the notebook, and run it again.
The batch runner sets the parameters from the agency's configuration file
(psikometri.report.config: every setting, and its source in `settings_source`).
"""

from pathlib import Path

import nbformat as nbf

PARAMETERS = '''# parameters
agency = "kab_sukamaju"
data_path = "data_samples"
output_dir = "."
lang = "id"
n_boot = 1000
seed = 2026
reliability_standard = 0.70
icc_standard = 0.70
g_standard = 0.80
validity_standard = 0.20
impact_ratio_standard = 0.80
differential_prediction_level = 0.05
consistency_standard = 0.60
jpm_consistency_standard = 0.60
jpm_scheme = "mapping"
jpm_cuts = None
potential_cuts = (78.0, 90.0)
performance_cuts = (70.0, 85.0)
criterion_reliability = 0.52
min_group_size = 5
rating_round = None
reference_year = None
display_name = None
competency_names = {}
exercise_names = {}
settings_source = {}
include_identities = False
ranges = None
exports = []'''

SETUP = '''from IPython.display import display
from psikometri.report import AgencyContext

ctx = AgencyContext.load(
    data_path, agency, ranges=ranges, lang=lang, n_boot=n_boot, seed=seed,
    standards={"reliability": reliability_standard, "icc": icc_standard, "g_coefficient": g_standard,
               "validity": validity_standard, "impact_ratio": impact_ratio_standard,
               "differential_prediction": differential_prediction_level, "consistency": consistency_standard,
               "jpm_consistency": jpm_consistency_standard},
    jpm_scheme=jpm_scheme, jpm_cuts=jpm_cuts, potential_cuts=potential_cuts, performance_cuts=performance_cuts,
    criterion_reliability=criterion_reliability, min_group_size=min_group_size, rating_round=rating_round,
    reference_year=reference_year, display_name=display_name, competency_names=competency_names,
    exercise_names=exercise_names, settings_source=settings_source,
    include_identities=include_identities, output_dir=output_dir,
)
display(ctx.header())'''

EXPORTS = '''from psikometri.report.export import write_exports

write_exports(ctx, exports);'''

SECTIONS = ("summary", "data", "reliability", "agreement", "gtheory", "construct", "validity", "incremental",
            "fairness", "talent", "reassessment", "methods")


def main():
    nb = nbf.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    cells = [nbf.v4.new_code_cell(PARAMETERS, metadata={"tags": ["parameters"]}), nbf.v4.new_code_cell(SETUP)]
    for key in SECTIONS:
        cells.append(nbf.v4.new_code_cell(f'ctx.section("{key}")', metadata={"tags": [f"section-{key}"]}))
    cells.append(nbf.v4.new_code_cell("ctx.write_results();", metadata={"tags": ["results"]}))
    # the Excel and Word versions, from the same sections as the cells above (the runner passes ``exports``)
    cells.append(nbf.v4.new_code_cell(EXPORTS, metadata={"tags": ["exports"]}))
    nb.cells = cells
    for i, c in enumerate(nb.cells):
        c["id"] = f"cell-{i:02d}"
    path = Path(__file__).with_name("agency_report.ipynb")
    nbf.write(nb, path)
    print(path)


if __name__ == "__main__":
    main()
