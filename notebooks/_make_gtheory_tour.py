"""Write notebooks/gtheory_tour.ipynb: G and D studies for assessment-centre methodologists.

Run: python notebooks/_make_gtheory_tour.py   (edit this script, not the notebook)
"""

from _nbtools import write_notebook

CELLS = [
    ("md", "# Where does the variance in AC ratings come from?\n\n"
           "A rating in an assessment centre (AC) is given to one **candidate** (asesi) on one **competency** in one "
           "**exercise** (alat ukur) by one **assessor** (asesor). Generalizability theory (Brennan 2001) asks how "
           "much of the spread of those ratings belongs to each of these sources and to their combinations, and "
           "then what that means for the reliability of the scores we report.\n\n"
           "* A **G study** estimates the *variance components*.\n"
           "* A **D study** turns them into reliability coefficients for a measurement design: how many exercises "
           "and assessors, which facets are fixed, which score is reported.\n\n"
           "Every number below is a `psikometri` call on the simulated sample data in `data_samples/`."),
    ("code", 'data_path = "../data_samples"\nagency = "kota_bahari"\nn_boot = 500\nseed = 2026', ["parameters"]),
    ("code", "import numpy as np\nimport pandas as pd\nimport psikometri as pk\n\n"
             "data = pk.load_assessment(data_path, warn=False)\n"
             "ratings = data.for_agency(agency).ratings\n"
             "ratings.head()"),
    ("md", "## 1. The design\n"
           "Two assessors rate every candidate in every exercise, drawn from a pool that belongs to the exercise: "
           "assessors are **nested** in exercises (Brennan's `a:e`), and the pair changes from candidate to "
           "candidate (an *ill-structured* design). Each exercise measures a subset of the nine competencies, and "
           "some cells are missing, so the design is unbalanced."),
    ("code", "ratings.groupby('exercise', observed=True).agg(competencies=('competency', 'nunique'), "
             "assessors=('assessor', 'nunique'), ratings=('score', 'size'))"),
    ("md", "## 2. The G study\n"
           "`g_study` fits every effect the design allows as a random effect. With an unbalanced design it uses "
           "restricted maximum likelihood (REML); the estimates are those of "
           "`lme4::lmer(score ~ 1 + (1|candidate) + (1|competency) + ... , REML = TRUE)`. The last row, with all "
           "four columns in its label, is the highest-order interaction confounded with residual error."),
    ("code", "g = pk.g_study(ratings, score='score', person='candidate',\n"
             "               facets=['competency', 'exercise', 'assessor'], nested={'assessor': 'exercise'})\n"
             "g"),
    ("md", "How to read it for an AC:\n\n"
           "* `candidate`: the general level of a candidate, the same in every competency and exercise.\n"
           "* `candidate:exercise`: a candidate does better in some exercises than in others. In real ACs this is "
           "typically the largest candidate-related component (the *exercise effect*; Lance 2008; Putka & Hoffman "
           "2013 found 43-52 %).\n"
           "* `candidate:competency`: a candidate's profile over competencies, the part that dimension-based "
           "feedback rests on; typically small (0.5-1.8 % in Putka & Hoffman 2013).\n"
           "* `assessor:exercise`: assessor leniency or severity.\n"
           "* the rest: interactions and error.\n\n"
           "Let us put the components in those groups:"),
    ("code", "comp = g.components\n"
             "comp.sort_values('percent', ascending=False).round(3)"),
    ("md", "## 3. Relative and absolute error\n"
           "Averaging over $n'$ levels of a facet divides the components that involve it by $n'$ (Brennan 2001, "
           "ch. 4). For the candidate's mean over all ratings:\n\n"
           "* **relative error** $\\sigma^2(\\delta)$: the components with the candidate and at least one facet "
           "(they change the candidates' *ranking*); the **generalizability coefficient** "
           "$E\\rho^2 = \\sigma^2(p) / (\\sigma^2(p) + \\sigma^2(\\delta))$ fits norm-referenced use (who is best).\n"
           "* **absolute error** $\\sigma^2(\\Delta)$ adds the facet components without the candidate (a severe "
           "assessor lowers the *level*); the **dependability** $\\Phi = \\sigma^2(p)/(\\sigma^2(p) + "
           "\\sigma^2(\\Delta))$ fits criterion-referenced use, e.g. comparing a JPM score with a cut-off."),
    ("code", "pd.Series({'E rho^2': g.g_coefficient, 'Phi': g.phi, 'relative error': g.relative_error,\n"
             "           'absolute error': g.absolute_error}).round(3)"),
    ("md", "## 4. The D study: what would other designs give?\n"
           "`d_study` takes alternative numbers of levels per facet (for the nested assessors: assessors *per "
           "exercise*). Facets not mentioned keep their observed size. The D study assumes a complete design: "
           "every competency in every exercise. The sample design is incomplete (each exercise measures four to "
           "six competencies), as the G study's note says, so the D-study value at the observed sizes is close to, "
           "but not the same as, `g.g_coefficient`, which uses the design as observed."),
    ("code", "d = g.d_study(exercise=[2, 3, 4, 5, 6], assessor=[1, 2, 3])\n"
             "d.pivot(index='exercise', columns='assessor', values='g_coefficient').round(3)"),
    ("md", "Adding exercises pays off far more than adding assessors, because the large `candidate:exercise` "
           "component is divided only by the number of exercises. This is the quantitative form of the AC "
           "guideline \"multiple exercises, multiple assessors\" (International Taskforce 2015)."),
    ("code", "d.pivot(index='exercise', columns='assessor', values='phi').round(3)"),
    ("md", "## 5. Dimension scores versus the overall rating\n"
           "Which score is reported changes what counts as signal. For the **overall assessment rating** (OAR) "
           "over a fixed set of competencies, `candidate:competency` is signal (the competencies are *fixed*). "
           "For a **single dimension score** (one competency averaged over exercises and assessors) "
           "`candidate:competency` is also signal, but there is only one competency to average over, so the "
           "exercise-related error weighs heavily. For a **single exercise score**, `candidate:exercise` becomes "
           "signal: exercise scores look reliable precisely because of the exercise effect."),
    ("code", "g.perspectives(dimension='competency', exercise='exercise').round(3)"),
    ("md", "## 6. The cheapest design that reaches a target\n"
           "Suppose an extra exercise costs 5 units (development, role players, a room, a day) and an extra "
           "assessor per exercise costs 2 units. `optimize` lists the designs that reach $E\\rho^2 \\ge .90$, "
           "cheapest first."),
    ("code", "g.optimize(target=0.90, cost={'exercise': 5, 'assessor': 2}, max_size=8).head(5).round(3)"),
    ("md", "## 7. A balanced design: the ANOVA estimator\n"
           "With a complete, balanced design the components follow from the ANOVA mean squares and their "
           "expected values (Brennan 2001, sec. 3.4). Here is Brennan's Synthetic Data Set No. 4: ten persons, "
           "three tasks, four raters nested in each task (p x (r:t)). Brennan reports $\\sigma^2(p) = .4731$, "
           "$\\sigma^2(t) = .3252$, $\\sigma^2(r{:}t) = .6475$, $\\sigma^2(pt) = .5596$, "
           "$\\sigma^2(pr{:}t) = 2.3802$, $E\\rho^2 = .55$ and $\\Phi = .46$."),
    ("code", "scores = [[5, 6, 5, 5, 5, 3, 4, 5, 6, 7, 3, 3], [9, 3, 7, 7, 7, 5, 5, 5, 7, 7, 5, 2],\n"
             "          [3, 4, 3, 3, 5, 3, 3, 5, 6, 5, 1, 6], [7, 5, 5, 3, 3, 1, 4, 3, 5, 3, 3, 5],\n"
             "          [9, 2, 9, 7, 7, 7, 3, 7, 2, 7, 5, 3], [3, 4, 3, 5, 3, 3, 6, 3, 4, 5, 1, 2],\n"
             "          [7, 3, 7, 7, 7, 5, 5, 7, 5, 5, 5, 4], [5, 8, 5, 7, 7, 5, 5, 4, 3, 2, 1, 1],\n"
             "          [9, 9, 8, 8, 6, 6, 6, 5, 5, 8, 1, 1], [4, 4, 4, 3, 3, 5, 6, 5, 5, 7, 1, 1]]\n"
             "brennan = pd.DataFrame([(p + 1, r // 4 + 1, r + 1, x) for p, row in enumerate(scores)\n"
             "                        for r, x in enumerate(row)], columns=['person', 'task', 'rater', 'score'])\n"
             "b = pk.g_study(brennan, score='score', person='person', facets=['task', 'rater'],\n"
             "               nested={'rater': 'task'})\n"
             "print(b.summary())"),
    ("code", "b.anova.round(4)"),
    ("md", "Negative ANOVA estimates can occur by sampling error; they are reported in `.anova` and set to zero "
           "in `.components` (Brennan's convention), with a note.\n\n"
           "## 8. Construct validity: the multitrait-multimethod view\n"
           "The same question from the correlational side (Campbell & Fiske 1959): do ratings of the same "
           "competency in different exercises agree (convergent) more than ratings of different competencies in "
           "the same exercise (heterotrait-monomethod)? In most ACs they do not."),
    ("code", "m = pk.mtmm(ratings, person='candidate', trait='competency', method='exercise', n_boot=n_boot, "
             "seed=seed)\nprint(m.summary())"),
    ("code", "m.plot();"),
    ("md", "## Take-aways for the AC design\n"
           "1. Report the OAR (or exercise-based scores) with confidence; treat single dimension scores with "
           "care: their reliability is limited by the exercise effect.\n"
           "2. To raise reliability, add exercises before adding assessors.\n"
           "3. Use $\\Phi$, not $E\\rho^2$, when scores are compared with fixed cut-offs (JPM categories).\n\n"
           "References: Brennan, R. L. (2001). *Generalizability Theory*. Springer. - Lance, C. E. (2008). Why "
           "assessment centers do not work the way they are supposed to. *Industrial and Organizational "
           "Psychology*, 1, 84-97. - Putka, D. J., & Hoffman, B. J. (2013). *Journal of Applied Psychology*, 98, "
           "114-133. - Campbell, D. T., & Fiske, D. W. (1959). *Psychological Bulletin*, 56, 81-105."),
]


def main():
    print(write_notebook(CELLS, "gtheory_tour.ipynb", "gtheory-tour"))


if __name__ == "__main__":
    main()
