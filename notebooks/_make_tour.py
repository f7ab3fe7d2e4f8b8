"""Write notebooks/tour_id.ipynb and notebooks/tour_en.ipynb: the guided tour of psikometri in two languages.

Run: python notebooks/_make_tour.py   (edit this script, not the notebooks)

Both notebooks come from the one list ``CELLS``, so they run the same analyses in the same order; a reader
of either sees one language only.  A cell is ``(kind, source[, tags])`` as in ``_nbtools.write_notebook``;
``source`` is one string shared by both notebooks or ``{"id": ..., "en": ...}``.  An interpretation cell
("say") is ``("say", facts, {"id": ..., "en": ...}[, guard])``: the shared lines ``facts`` read the values
the paragraph needs from the outputs above, and each language writes its paragraph from them, so every number
in the prose is computed and no result is written into the text.  ``guard`` (e.g. ``"vs is None"``) marks an
analysis that needs the performance criterion: when it was skipped, the cell says so instead.
"""

import textwrap

from _nbtools import write_notebook

LANGS = ("id", "en")
#: First line of every interpretation cell: what the collapsed cell shows in JupyterLab.
SAY_HEAD = {"id": "# Tafsiran, ditulis dari nilai yang dihitung di atas",
            "en": "# Interpretation, written from the values computed above"}

INTRO = {
    "id": """# Tur terpandu psikometri

Notebook ini mengajak metodolog menelusuri data *assessment center* (AC) satu instansi, dari memuat data sampai
keputusan manajemen talenta: data dan desainnya, reliabilitas tes psikologi, kesepakatan antarasesor, sumber
variansi penilaian (teori generalisabilitas), validitas konstruk, validitas prediktif dan inkremental, keadilan,
serta Job Person Match (JPM) dan kotak manajemen talenta.

Cara membaca:

* Setiap angka adalah pemanggilan pustaka `psikometri` pada data contoh hasil simulasi di `data_samples/`; sel
  kode memperlihatkan pemanggilannya.
* Setelah setiap keluaran ada paragraf tafsiran: arti angka itu bagi instansi ini, dibandingkan dengan standar
  apa, dan dengan selang kepercayaan 95% berapa. Paragraf itu ditulis oleh sel kode yang dilipat (klik ⋯ untuk
  membukanya) dari nilai yang baru saja dihitung, sehingga tetap benar bila data atau parameter diubah.
  Jalankan seluruh notebook (*Run ▸ Run All Cells*) untuk melihatnya.
* Sel parameter di bawah menentukan instansi, jumlah replikasi bootstrap dan standar penilaian. Ubah di sana,
  atau jalankan untuk instansi lain dari terminal, di folder `notebooks/`:
  `papermill tour_id.ipynb hasil.ipynb -p agency kab_sukamaju`.

Tur yang sama dalam bahasa Inggris: `tour_en.ipynb`. `gtheory_tour.ipynb` menjelaskan studi G dan studi D
langkah demi langkah; `psikometri report` menulis laporan validasi lengkap untuk setiap instansi.""",
    "en": """# A guided tour of psikometri

This notebook walks a methodologist through one agency's assessment-centre (AC) data, from loading to talent
decisions: the data and their design, the reliability of the psychological test, agreement between assessors,
where the variance of the ratings comes from (generalizability theory), construct validity, predictive and
incremental validity, fairness, and the Job Person Match (JPM) with the nine-box talent grid.

How to read it:

* Every number is a call to the `psikometri` library on the simulated sample data in `data_samples/`; the code
  cells show the calls.
* Each output is followed by a paragraph that says what the number means for this agency, against which
  standard, and with which 95% confidence interval. The paragraphs are written by collapsed code cells (click
  the ⋯ to open one) from the values just computed, so they stay true when the data or the parameters change.
  Run the whole notebook (*Run ▸ Run All Cells*) to see them.
* The parameters cell below sets the agency, the number of bootstrap resamples and the standards. Change them
  there, or run another agency from the shell, in the `notebooks/` folder:
  `papermill tour_en.ipynb out.ipynb -p agency kab_sukamaju`.

The same tour in Bahasa Indonesia: `tour_id.ipynb`. `gtheory_tour.ipynb` explains G and D studies step by step;
`psikometri report` writes the full validation report of every agency.""",
}

PARAMETERS = {
    "id": '''# parameter (masing-masing dapat diganti oleh papermill)
data_path = "../data_samples"   # folder tabel CSV/XLSX/Parquet atau satu buku kerja instansi (.xlsx)
agency = "kota_bahari"          # instansi yang ditelaah
n_boot = 1000                   # replikasi bootstrap untuk selang kepercayaan
seed = 2026                     # seed tetap: angka yang sama pada setiap kali dijalankan
# standar pembanding tafsiran (bawaan laporan validasi; instansi dapat menetapkan standarnya sendiri)
standard_reliability = 0.70     # alpha/omega tes (Nunnally & Bernstein 1994)
standard_icc = 0.70             # ICC(1) penilaian AC (median studi AC; Koo & Li 2016)
standard_g = 0.80               # koefisien G / Phi nilai akhir untuk keputusan tentang individu
standard_validity = 0.20        # validitas operasional yang layak dipakai
standard_impact_ratio = 0.80    # aturan empat-perlima (Uniform Guidelines 1978)
standard_kappa = 0.60           # konsistensi keputusan (Landis & Koch 1977: > 0,60 substansial)
test_level = 0.05               # taraf signifikansi uji (validitas inkremental, prediksi diferensial)
item_r_drop_min = 0.30          # korelasi butir-total terkoreksi di bawah nilai ini: butir ditelaah ulang
criterion_reliability = 0.52    # reliabilitas antarpenilai nilai kinerja dari atasan (Viswesvaran dkk. 1996)
min_criterion_n = 20            # jumlah minimum nilai kinerja untuk analisis yang memakai kriteria (bagian 7-9, 11)
fairness_group = "gender"       # kolom kelompok untuk analisis keadilan
reference_group = "L"           # kelompok acuan perbedaan skor dan prediksi diferensial
jpm_cuts = [78, 90]             # batas kategori JPM: Kurang Optimal | Cukup Optimal | Optimal
potential_cuts = [78, 90]       # batas potensi (JPM) pada kotak manajemen talenta: rendah | menengah | tinggi
performance_cuts = [70, 85]     # batas kinerja: di bawah | sesuai | di atas ekspektasi''',
    "en": '''# parameters (papermill can override each of them)
data_path = "../data_samples"   # a folder of CSV/XLSX/Parquet tables or one agency workbook (.xlsx)
agency = "kota_bahari"          # the agency to look at
n_boot = 1000                   # bootstrap resamples behind the intervals
seed = 2026                     # a fixed seed: the same numbers on every run
# standards the interpretations compare with (the validation report's defaults; an agency may set its own)
standard_reliability = 0.70     # alpha/omega of a test (Nunnally & Bernstein 1994)
standard_icc = 0.70             # ICC(1) of AC ratings (median of AC studies; Koo & Li 2016)
standard_g = 0.80               # G coefficient / Phi of the overall rating for decisions about individuals
standard_validity = 0.20        # operational validity worth using
standard_impact_ratio = 0.80    # four-fifths rule (Uniform Guidelines 1978)
standard_kappa = 0.60           # decision consistency (Landis & Koch 1977: > .60 substantial)
test_level = 0.05               # significance level of the tests (incremental validity, differential prediction)
item_r_drop_min = 0.30          # corrected item-total correlation below which an item is reviewed
criterion_reliability = 0.52    # inter-rater reliability of supervisors' performance ratings (Viswesvaran et al. 1996)
min_criterion_n = 20            # fewest performance ratings for the analyses that use the criterion (sections 7-9, 11)
fairness_group = "gender"       # the group column of the fairness analyses
reference_group = "L"           # reference group of score differences and differential prediction
jpm_cuts = [78, 90]             # JPM category cuts: Kurang Optimal | Cukup Optimal | Optimal
potential_cuts = [78, 90]       # nine-box potential (JPM) cuts: low | medium | high
performance_cuts = [70, 85]     # performance cuts: below | meets | above expectation''',
}

HELPERS = {
    "id": '''# Alat bantu yang mengubah nilai hasil hitungan menjadi kalimat; alat ini sendiri tidak menghitung apa pun.
from IPython.display import Markdown, display
from psikometri.report import tr, verdict as report_verdict
from psikometri.report.i18n import column_label, format_number

LANG = "id"
GROUP_NAMES = {"L": "laki-laki", "P": "perempuan"}


def say(text):
    """Tampilkan satu paragraf tafsiran (Markdown)."""
    display(Markdown(text))


def num(x, spec=".2f"):
    """Angka dengan tanda desimal bahasa Indonesia (0,86; 2.091)."""
    return format_number(x, spec, LANG) if np.isfinite(x) else "tidak tersedia"


def pct(x, digits=0):
    return num(100 * x, f".{digits}f") + "%"


def pval(p):
    return "< " + num(0.001, ".3f") if p < 0.001 else num(p, ".3f")


def ci(lo, hi, spec=".2f"):
    """Selang kepercayaan 95% dalam kata."""
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return "tanpa selang kepercayaan"
    return f"selang kepercayaan 95% [{num(lo, spec)}; {num(hi, spec)}]"


def verdict_word(value, lo, hi, standard):
    """Empat penilaian laporan validasi (psikometri.report.verdict): letak estimasi dan selangnya terhadap standar."""
    return tr(report_verdict(value, standard, lo, hi), LANG)


def verdict(value, lo, hi, standard):
    """Penilaian beserta alasannya, untuk disisipkan dalam kalimat."""
    word, s, v = verdict_word(value, lo, hi, standard), num(standard), num(value, ".3f")
    reason = {"memadai": f"seluruh selang berada di atas standar {s}",
              "memadai, belum pasti": f"estimasi {v} memenuhi standar {s}, tetapi selangnya menjangkau di bawahnya",
              "belum memadai": f"seluruh selang berada di bawah standar {s}",
              "belum memadai, belum pasti": f"estimasi {v} di bawah standar {s}, tetapi selangnya menjangkau standar",
              "tidak dapat diestimasi": "data tidak cukup"}[word]
    return f"**{word}** ({reason})"


def too_few(n):
    """Paragraf untuk analisis yang dilewati karena nilai kinerja terlalu sedikit."""
    return (f"Hanya {n} asesi memiliki nilai kinerja (minimal `min_criterion_n` = {min_criterion_n}); analisis ini "
            "dilewati. Gabungkan kohort atau gunakan meta-analisis lintas instansi dalam laporan validasi.")


def koo_li(x):
    """Label Koo & Li (2016) untuk ICC."""
    return "buruk" if x < 0.50 else "sedang" if x < 0.75 else "baik" if x < 0.90 else "sangat baik"


def names(values):
    """Daftar label data dalam kata: 'a, b dan c'."""
    words = [GROUP_NAMES.get(str(v), str(column_label(str(v), LANG))) for v in values]
    if not words:
        return "tidak ada"
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " dan " + words[-1]''',
    "en": '''# Helpers that turn the computed values into sentences; they compute nothing themselves.
from IPython.display import Markdown, display
from psikometri.report import tr, verdict as report_verdict
from psikometri.report.i18n import column_label, format_number

LANG = "en"
GROUP_NAMES = {"L": "men", "P": "women"}


def say(text):
    """Show one paragraph of interpretation (Markdown)."""
    display(Markdown(text))


def num(x, spec=".2f"):
    return format_number(x, spec, LANG) if np.isfinite(x) else "not available"


def pct(x, digits=0):
    return num(100 * x, f".{digits}f") + "%"


def pval(p):
    return "< " + num(0.001, ".3f") if p < 0.001 else num(p, ".3f")


def ci(lo, hi, spec=".2f"):
    """A 95% confidence interval in words."""
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return "no confidence interval"
    return f"95% CI [{num(lo, spec)}, {num(hi, spec)}]"


def verdict_word(value, lo, hi, standard):
    """The validation report's four verdicts (psikometri.report.verdict): an estimate and its interval against a standard."""
    return tr(report_verdict(value, standard, lo, hi), LANG)


def verdict(value, lo, hi, standard):
    """The verdict with its reason, to be placed in a sentence."""
    word, s, v = verdict_word(value, lo, hi, standard), num(standard), num(value, ".3f")
    reason = {"adequate": f"the whole interval lies above the standard of {s}",
              "adequate, uncertain": f"the estimate {v} meets the standard of {s} but the interval reaches below it",
              "not adequate": f"the whole interval lies below the standard of {s}",
              "not adequate, uncertain": f"the estimate {v} falls short of the standard of {s} but the interval reaches it",
              "not estimable": "too few data"}[word]
    return f"**{word}** ({reason})"


def candidates(n):
    return f"{n} candidate" if n == 1 else f"{n} candidates"


def too_few(n):
    """The paragraph of an analysis skipped for too few performance ratings."""
    return (f"Only {n} candidates have a performance rating (at least `min_criterion_n` = {min_criterion_n} are "
            "needed); this analysis is skipped. Pool cohorts or rely on the cross-agency meta-analysis of the "
            "validation reports.")


def koo_li(x):
    """Koo & Li's (2016) label of an ICC."""
    return "poor" if x < 0.50 else "moderate" if x < 0.75 else "good" if x < 0.90 else "excellent"


def names(values):
    """A list of data labels in words: 'a, b and c'."""
    words = [GROUP_NAMES.get(str(v), str(column_label(str(v), LANG))) for v in values]
    if not words:
        return "none"
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]''',
}

CELLS = [
    ("md", INTRO),
    ("code", PARAMETERS, ["parameters"]),
    ("code", '''import numpy as np
import pandas as pd
import psikometri as pk

data = pk.load_assessment(data_path, warn=False)
overview = data.summary()
overview'''),
    ("hidden", HELPERS, ["helpers"]),
    # 1. the data ---------------------------------------------------------------------------------------------
    ("md", {"id": """## 1. Data
`load_assessment` membaca dan memvalidasi data: setiap masalah dicantumkan beserta berkas, baris, kolom dan cara
memperbaikinya sebelum ada yang dihitung. `summary()` di atas memberi satu baris per instansi: jumlah asesi, asesor,
alat ukur, kompetensi dan penilaian, kelengkapan desain asesi × kompetensi × alat ukur, jumlah asesor per sel, dan
jumlah asesi yang memiliki nilai kinerja.""",
            "en": """## 1. The data
`load_assessment` reads and validates the data: every problem is listed with its file, row, column and fix before
anything is computed. `summary()` above gives one row per agency: candidates (asesi), assessors, exercises,
competencies and ratings, the completeness of the candidate × competency × exercise design, assessors per cell,
and candidates with a performance rating."""}),
    ("say", '''row = overview.loc[agency]
n_agencies, n_all = len(overview), int(overview["candidates"].sum())''',
     {"id": '''say(f"Data memuat {n_agencies} instansi dengan {num(n_all, ',.0f')} asesi. Instansi **{agency}**: "
    f"{num(row['candidates'], ',.0f')} asesi dinilai oleh {num(row['assessors'], ',.0f')} asesor melalui "
    f"{int(row['exercises'])} alat ukur untuk {int(row['competencies'])} kompetensi, seluruhnya {num(row['ratings'], ',.0f')} "
    f"penilaian. Kelengkapan desain {pct(row['completeness'])} (proporsi sel asesi × kompetensi × alat ukur "
    f"yang dinilai), dengan rata-rata {num(row['assessors_per_cell'], '.1f')} asesor per sel; kesepakatan "
    f"antarasesor hanya dapat diukur bila satu sel dinilai oleh dua asesor atau lebih. "
    f"{num(row['with_performance'], ',.0f')} asesi ({pct(row['with_performance'] / row['candidates'])}) "
    f"memiliki nilai kinerja setelah asesmen, yaitu kriteria untuk validitas prediktif.")''',
      "en": '''say(f"The data hold {n_agencies} agencies with {num(n_all, ',.0f')} candidates. **{agency}**: "
    f"{num(row['candidates'], ',.0f')} candidates rated by {num(row['assessors'], ',.0f')} assessors in "
    f"{int(row['exercises'])} exercises on {int(row['competencies'])} competencies, {num(row['ratings'], ',.0f')} ratings "
    f"in all. The design is {pct(row['completeness'])} complete (the share of candidate × competency × exercise "
    f"cells that were rated), with on average {num(row['assessors_per_cell'], '.1f')} assessors per cell; "
    f"agreement between assessors can be measured only where two or more rate the same cell. "
    f"{num(row['with_performance'], ',.0f')} candidates ({pct(row['with_performance'] / row['candidates'])}) "
    f"have a later performance rating, the criterion of the predictive validity study.")'''}),
    # 2. one agency -------------------------------------------------------------------------------------------
    ("md", {"id": """## 2. Satu instansi dan nilai akhir asesmennya
`for_agency` mengambil baris milik satu instansi saja; laporan validasi tidak pernah mencampur instansi. Untuk
kohort yang dinilai lebih dari sekali, tur ini memakai periode terakhir, seperti laporan validasi. Nilai akhir
asesmen (*overall assessment rating*, OAR) di bawah adalah rerata seluruh penilaian seorang asesi
(`d.overall_rating()`; `pk.overall_rating(ratings, by="competency", weights=...)` memberi rerata berbobot dari
rerata per kompetensi). `join` memasangkan OAR dengan tabel asesi menurut ID asesi.""",
            "en": """## 2. One agency and its overall assessment rating
`for_agency` keeps one agency's rows; a validation report never mixes agencies. For a cohort assessed more than
once the tour takes the latest occasion, as the validation report does. The overall assessment rating (OAR)
below is the mean of all of a candidate's ratings (`d.overall_rating()`; `pk.overall_rating(ratings,
by="competency", weights=...)` gives a weighted mean of the competency means instead). `join` lines the OAR up
with the candidates table by candidate id."""}),
    ("code", {"id": '''d = data.for_agency(agency)
if len(d.occasions) > 1:  # kohort yang dinilai ulang: periode terakhir
    d = d.for_occasion(d.occasions[-1])
ratings = d.ratings
cand = d.candidates.astype({"candidate": str}).set_index("candidate")
cand = cand.join(d.overall_rating())
cand[["cognitive", "performance", "selected", "oar"]].describe().round(2)''',
              "en": '''d = data.for_agency(agency)
if len(d.occasions) > 1:  # a re-assessed cohort: the latest occasion
    d = d.for_occasion(d.occasions[-1])
ratings = d.ratings
cand = d.candidates.astype({"candidate": str}).set_index("candidate")
cand = cand.join(d.overall_rating())
cand[["cognitive", "performance", "selected", "oar"]].describe().round(2)'''}),
    ("say", '''n = len(cand)
with_perf = cand["performance"].notna()
n_sel = int(cand["selected"].sum())
lo_scale, hi_scale = d.scale''',
     {"id": '''occasion = f" (periode {d.occasions[-1]})" if d.occasions else ""
say(f"Instansi ini{occasion} memiliki {n} asesi. Nilai akhir mereka rata-rata {num(cand['oar'].mean())} "
    f"(simpangan baku {num(cand['oar'].std())}; rentang {num(cand['oar'].min())} s.d. {num(cand['oar'].max())}) "
    f"pada skala {num(lo_scale, 'g')}–{num(hi_scale, 'g')}. {n_sel} asesi ({pct(n_sel / n)}) terpilih untuk "
    f"jabatan, dan {int(with_perf.sum())} memiliki nilai kinerja. Simpangan baku nilai akhir pada asesi yang "
    f"memiliki nilai kinerja adalah {num(cand.loc[with_perf, 'oar'].std())}, dibandingkan "
    f"{num(cand['oar'].std())} pada seluruh asesi: kriteria hanya diketahui pada rentang nilai yang terbatas, "
    f"sehingga korelasi teramati dengan kinerja mengecil. Bagian 7 mengoreksi keterbatasan rentang ini.")''',
      "en": '''occasion = f" (occasion {d.occasions[-1]})" if d.occasions else ""
say(f"This agency{occasion} has {n} candidates. Their OAR averages {num(cand['oar'].mean())} "
    f"(SD {num(cand['oar'].std())}; range {num(cand['oar'].min())} to {num(cand['oar'].max())}) on the "
    f"{num(lo_scale, 'g')}–{num(hi_scale, 'g')} scale. {n_sel} candidates ({pct(n_sel / n)}) were selected for "
    f"the post, and {int(with_perf.sum())} have a performance rating. The SD of the OAR among those with a "
    f"performance rating is {num(cand.loc[with_perf, 'oar'].std())}, against {num(cand['oar'].std())} among all "
    f"candidates: the criterion is known over a restricted range of scores, which shrinks the observed "
    f"correlation with performance. Section 7 corrects for this range restriction.")'''}),
    # 3. reliability of the test ------------------------------------------------------------------------------
    ("md", {"id": """## 3. Reliabilitas tes psikologi
Butir-butir tes psikologi (`items`) diringkas dengan alpha Cronbach (selang bootstrap BCa), omega McDonald, lambda
Guttman dan belah dua, sebagaimana dihitung paket R `psych`. Standar: alpha dan omega sekurang-kurangnya
`standard_reliability`. Nunnally & Bernstein (1994) menganggap 0,70 batas bawah untuk penelitian; keputusan
tentang individu menuntut reliabilitas yang jauh lebih tinggi.""",
            "en": """## 3. Reliability of the psychological test
The items of the psychological test (`items`) are summarised by Cronbach's alpha (BCa bootstrap interval),
McDonald's omega, Guttman's lambdas and split halves, as R's `psych` computes them. Standard: alpha and omega at
least `standard_reliability`. Nunnally & Bernstein (1994) treat .70 as a floor for research use; decisions about
individuals call for much higher reliability."""}),
    ("code", '''items = d.items.drop(columns="candidate")
rel = pk.reliability_summary(items, ci="bca", n_boot=n_boot, seed=seed)
rel[["value", "ci_low", "ci_high", "ci_method", "n"]].round(3)'''),
    ("say", '''alpha, omega = rel.loc["cronbach_alpha"], rel.loc["omega_total"]
omega_h, sem = rel.loc["omega_hierarchical", "value"], rel.loc["sem", "value"]''',
     {"id": '''say(f"Alpha Cronbach = {num(alpha['value'])} ({ci(alpha['ci_low'], alpha['ci_high'])}, bootstrap BCa) dan "
    f"omega total = {num(omega['value'])} ({ci(omega['ci_low'], omega['ci_high'])}) untuk {items.shape[1]} butir "
    f"dan {int(omega['n'])} responden. Terhadap standar, omega "
    f"{verdict(omega['value'], omega['ci_low'], omega['ci_high'], standard_reliability)}. Omega hierarkis "
    f"{num(omega_h)}: {pct(omega_h / omega['value'])} variansi andal skor total berasal dari faktor umum, sisanya "
    f"dari faktor kelompok. Galat baku pengukuran skor total {num(sem)} poin, sehingga skor seseorang diketahui "
    f"kira-kira ± {num(1.96 * sem, '.1f')} poin (95%); ini penting bila satu skor tes dibandingkan dengan batas lulus.")''',
      "en": '''say(f"Cronbach's alpha = {num(alpha['value'])} ({ci(alpha['ci_low'], alpha['ci_high'])}, BCa bootstrap) and "
    f"omega total = {num(omega['value'])} ({ci(omega['ci_low'], omega['ci_high'])}) for {items.shape[1]} items "
    f"and {int(omega['n'])} respondents. Against the standard, omega is "
    f"{verdict(omega['value'], omega['ci_low'], omega['ci_high'], standard_reliability)}. Omega hierarchical is "
    f"{num(omega_h)}: {pct(omega_h / omega['value'])} of the reliable variance of the total score comes from the "
    f"general factor, the rest from group factors. The standard error of measurement of the total score is "
    f"{num(sem)} points, so a person's score is known to about ± {num(1.96 * sem, '.1f')} points (95%); this "
    f"matters whenever a single test score is compared with a pass mark.")'''}),
    ("code", '''ia = pk.item_analysis(items)
ia.round(3)'''),
    ("say", '''weak = ia.index[ia["r_drop"] < item_r_drop_min]
raises_alpha = ia.index[ia["alpha_if_deleted"] > alpha["value"]]''',
     {"id": '''text = (f"Korelasi butir-total terkoreksi (`r_drop`: butir terhadap jumlah butir lainnya) berkisar "
        f"{num(ia['r_drop'].min())} s.d. {num(ia['r_drop'].max())}. ")
text += (f"Di bawah ambang telaah {num(item_r_drop_min)}: {names(weak)}. " if len(weak)
         else f"Tidak ada butir di bawah ambang telaah {num(item_r_drop_min)}. ")
text += (f"Menghapus {names(raises_alpha)} akan menaikkan alpha (`alpha_if_deleted`): telaah isi butir tersebut "
         "sebelum tes dipakai lagi." if len(raises_alpha)
         else "Menghapus satu butir mana pun tidak menaikkan alpha: setiap butir menyumbang pada reliabilitas skor total.")
say(text)''',
      "en": '''text = (f"Corrected item-total correlations (`r_drop`: an item against the sum of the others) range from "
        f"{num(ia['r_drop'].min())} to {num(ia['r_drop'].max())}. ")
text += (f"Below the review threshold of {num(item_r_drop_min)}: {names(weak)}. " if len(weak)
         else f"No item falls below the review threshold of {num(item_r_drop_min)}. ")
text += (f"Deleting {names(raises_alpha)} would raise alpha (`alpha_if_deleted`): review their content before "
         "the test is used again." if len(raises_alpha)
         else "Deleting any one item would not raise alpha: every item adds to the reliability of the total score.")
say(text)'''}),
    # 4. agreement --------------------------------------------------------------------------------------------
    ("md", {"id": """## 4. Apakah para asesor sepakat?
`cell_ratings` menyusun penilaian menjadi satu baris per sel asesi × kompetensi × alat ukur dan satu kolom per
asesor dalam sel itu. Karena pasangan asesor berganti dari asesi ke asesi, hanya ICC satu arah yang tepat:
ICC(1) adalah reliabilitas penilaian satu asesor, ICC(1k) reliabilitas rerata para asesor dalam satu sel (Shrout &
Fleiss 1979). Sel-sel milik asesi yang sama tidak saling bebas, sehingga selang yang dipakai adalah bootstrap
klaster atas asesi (`boot_ci_*`); selang uji F (`ci_*`) mengandaikan sel saling bebas dan terlalu sempit.
Standar: ICC(1) ≥ `standard_icc`. Koo & Li (2016) membaca < 0,50 buruk, 0,50–0,75 sedang, 0,75–0,90 baik dan
> 0,90 sangat baik; studi AC umumnya melaporkan 0,60 sampai di atas 0,90.""",
            "en": """## 4. Do the assessors agree?
`cell_ratings` lays the ratings out as one row per candidate × competency × exercise cell and one column per
assessor of the cell. Because the pair of assessors changes from candidate to candidate, only the one-way ICC
applies: ICC(1) is the reliability of one assessor's rating, ICC(1k) that of the mean of a cell's assessors
(Shrout & Fleiss 1979). Cells of the same candidate are not independent, so the interval that counts is a
cluster bootstrap over candidates (`boot_ci_*`); the F-test interval (`ci_*`) assumes independent cells and is
too narrow. Standard: ICC(1) ≥ `standard_icc`. Koo & Li (2016) read < .50 as poor, .50–.75 moderate, .75–.90
good and > .90 excellent; AC studies typically report .60 to above .90."""}),
    ("code", '''cells = pk.cell_ratings(ratings)
icc = pk.icc(cells.reset_index(drop=True), missing="reml", clusters=cells.index.get_level_values("candidate"),
             n_boot=n_boot, seed=seed)
icc.loc[["ICC1", "ICC1k"], ["icc", "ci_low", "ci_high", "boot_ci_low", "boot_ci_high"]].round(3)'''),
    ("say", '''i1, ik = icc.loc["ICC1"], icc.loc["ICC1k"]''',
     {"id": '''say(f"ICC(1) = {num(i1['icc'])} ({ci(i1['boot_ci_low'], i1['boot_ci_high'])}, bootstrap klaster atas "
    f"{icc.attrs['n_clusters']} asesi; {num(cells.attrs['n_cells_used'], ',.0f')} sel): kesepakatan satu asesor "
    f"tergolong {koo_li(i1['icc'])} menurut Koo & Li, dan terhadap standar "
    f"{verdict(i1['icc'], i1['boot_ci_low'], i1['boot_ci_high'], standard_icc)}. Rerata para asesor dalam satu sel "
    f"(paling banyak {cells.attrs['max_ratings']}) mencapai ICC(1k) = {num(ik['icc'])} "
    f"({ci(ik['boot_ci_low'], ik['boot_ci_high'])}); itulah reliabilitas nilai sel yang masuk ke rapat asesor. "
    f"Selang uji F [{num(i1['ci_low'])}; {num(i1['ci_high'])}] lebih sempit karena menganggap sel saling bebas.")''',
      "en": '''say(f"ICC(1) = {num(i1['icc'])} ({ci(i1['boot_ci_low'], i1['boot_ci_high'])}, cluster bootstrap over "
    f"{icc.attrs['n_clusters']} candidates; {num(cells.attrs['n_cells_used'], ',.0f')} cells): the agreement of a "
    f"single assessor is {koo_li(i1['icc'])} by Koo & Li's labels, and against the standard it is "
    f"{verdict(i1['icc'], i1['boot_ci_low'], i1['boot_ci_high'], standard_icc)}. The mean of a cell's assessors "
    f"(at most {cells.attrs['max_ratings']}) reaches ICC(1k) = {num(ik['icc'])} "
    f"({ci(ik['boot_ci_low'], ik['boot_ci_high'])}): the reliability of the cell score taken to the assessor "
    f"meeting. The F-test interval [{num(i1['ci_low'])}, {num(i1['ci_high'])}] is narrower because it treats the "
    f"cells as independent.")'''}),
    ("code", '''ka = pk.krippendorff_alpha(cells.reset_index(drop=True), level_of_measurement="interval", n_boot=n_boot,
                           seed=seed)
ka'''),
    ("say", '''band = "high" if ka.value >= 0.800 else "tentative" if ka.value >= 0.667 else "low"''',
     {"id": '''reading = {"high": "di atas 0,800, batas yang dipakai Krippendorff (2004) untuk data yang dapat diandalkan",
           "tentative": "antara 0,667 dan 0,800: menurut Krippendorff (2004) hanya cukup untuk simpulan sementara",
           "low": "di bawah 0,667, batas terendah Krippendorff (2004) untuk simpulan sementara"}[band]
say(f"Alpha Krippendorff (tingkat interval) = {num(ka.value, '.3f')} ({ci(ka.ci_low, ka.ci_high, '.3f')}), "
    f"{reading}. Koefisien ini mengukur kesepakatan penilaian tunggal yang sama dengan ICC(1) "
    f"(selisih {num(round(ka.value - i1['icc'], 3) + 0.0, '+.3f')}); selangnya (bootstrap atas sel, Hayes & Krippendorff 2007) "
    f"lebih sempit karena menganggap sel saling bebas.")''',
      "en": '''reading = {"high": "above .800, the level Krippendorff (2004) asks for data to be relied on",
           "tentative": "between .667 and .800: by Krippendorff (2004) good for tentative conclusions only",
           "low": "below .667, Krippendorff's (2004) lowest level even for tentative conclusions"}[band]
say(f"Krippendorff's alpha (interval level) = {num(ka.value, '.3f')} ({ci(ka.ci_low, ka.ci_high, '.3f')}), "
    f"{reading}. It measures the same single-rating agreement as ICC(1) (difference "
    f"{num(round(ka.value - i1['icc'], 3) + 0.0, '+.3f')}); its interval (bootstrap over cells, Hayes & Krippendorff 2007) is "
    f"narrower because it treats the cells as independent.")'''}),
    ("md", {"id": """Diagnostik asesor membandingkan setiap asesor dengan rekan asesor yang menilai sel yang sama: kelonggaran
(`leniency`, rerata selisih terhadap rerata rekan, dalam poin skala, dengan selangnya), sebaran (`spread_ratio` jauh
di bawah 1: kecenderungan tengah), efek halo (penilaian berbagai kompetensi satu asesi dalam satu alat ukur jauh
lebih seragam daripada penilaian rekan) dan kesepakatan (`agreement_r`, korelasi dengan konsensus rekan). Tabel
memuat asesor yang ditandai, dari yang paling ketat ke yang paling longgar.""",
            "en": """Assessor diagnostics compare each assessor with the co-assessors who rated the same cells: leniency
(`leniency`, the mean deviation from the co-assessors, in scale points, with its interval), spread (`spread_ratio`
well below 1: central tendency), halo (the assessor's ratings of different competencies of one candidate in one
exercise far more uniform than the co-assessors') and agreement (`agreement_r`, the correlation with the
co-assessors' consensus). The table lists the flagged assessors, from the most severe to the most lenient."""}),
    ("code", '''diag = pk.assessor_diagnostics(ratings)
cols = ["n_ratings", "leniency", "ci_low", "ci_high", "spread_ratio", "halo", "halo_co_assessors", "agreement_r",
        "flag_summary"]
diag.loc[diag["flagged"], cols].sort_values("leniency").round(2)'''),
    ("say", '''flagged = diag[diag["flagged"]]
kinds = flagged["flag_summary"].str.split(", ").explode().value_counts()
lenient, severe = diag.loc[diag["leniency"].idxmax()], diag.loc[diag["leniency"].idxmin()]''',
     {"id": '''say(f"{len(flagged)} dari {len(diag)} asesor ({pct(len(flagged) / len(diag))}) ditandai: "
    + ", ".join(f"{'efek halo' if k == 'halo' else column_label(k, LANG)} {n}" for k, n in kinds.items()) + ". "
    f"Kelonggaran berkisar dari {num(severe['leniency'], '+.2f')} poin ({ci(severe['ci_low'], severe['ci_high'])}) "
    f"pada asesor paling ketat sampai {num(lenient['leniency'], '+.2f')} poin "
    f"({ci(lenient['ci_low'], lenient['ci_high'])}) pada yang paling longgar, dibandingkan rekan pada sel yang sama. "
    "Tanda adalah alasan untuk kalibrasi ulang (pelatihan *frame-of-reference* dan telaah catatan observasi "
    "asesor; International Taskforce 2015), bukan vonis: selang kelonggaran menganggap penilaian seorang asesor "
    "saling bebas, sehingga dengan sedikit asesi ketelitiannya dilebih-lebihkan.")''',
      "en": '''say(f"{len(flagged)} of {len(diag)} assessors ({pct(len(flagged) / len(diag))}) are flagged: "
    + ", ".join(f"{'halo effect' if k == 'halo' else column_label(k, LANG)} {n}" for k, n in kinds.items()) + ". "
    f"Leniency runs from {num(severe['leniency'], '+.2f')} points ({ci(severe['ci_low'], severe['ci_high'])}) for "
    f"the most severe assessor to {num(lenient['leniency'], '+.2f')} points "
    f"({ci(lenient['ci_low'], lenient['ci_high'])}) for the most lenient, against the co-assessors on the same "
    "cells. A flag is a reason for recalibration (frame-of-reference training and a review of the assessor's "
    "observation notes; International Taskforce 2015), not a verdict: the leniency interval treats an "
    "assessor's ratings as independent, which with few candidates overstates its precision.")'''}),
    # 5. G theory ---------------------------------------------------------------------------------------------
    ("md", {"id": """## 5. Dari mana variansi penilaian berasal?
Studi G (Brennan 2001) memecah variansi penilaian menjadi level umum asesi (`candidate`), profil kompetensi asesi
(`candidate:competency`, dasar umpan balik per kompetensi), efek alat ukur (`candidate:exercise`), kelonggaran
asesor di dalam alat ukur (`assessor:exercise`) dan sisanya. Dengan desain tidak seimbang `g_study` memakai REML,
seperti `lme4::lmer`. Baris terakhir adalah interaksi tertinggi yang bercampur dengan galat.
`gtheory_tour.ipynb` menjelaskan setiap langkahnya.""",
            "en": """## 5. Where does the variance of the ratings come from?
A G study (Brennan 2001) splits the variance of the ratings into the candidate's general level (`candidate`), the
candidate's competency profile (`candidate:competency`, what competency feedback rests on), the exercise effect
(`candidate:exercise`), assessor leniency within exercises (`assessor:exercise`) and the rest. With an
unbalanced design `g_study` uses REML, as `lme4::lmer` does. The last row is the highest-order interaction,
confounded with error. `gtheory_tour.ipynb` explains each step."""}),
    ("code", '''g = pk.g_study(ratings, score="score", person="candidate", facets=["competency", "exercise", "assessor"],
               nested={"assessor": "exercise"})
g.components.round(4)'''),
    ("say", '''share = g.components["percent"]
person, by_exercise = share.get("candidate", np.nan), share.get("candidate:exercise", np.nan)
by_competency, leniency = share.get("candidate:competency", np.nan), share.get("assessor:exercise", np.nan)
residual = share.iloc[-1]''',
     {"id": '''text = (f"Level umum asesi menjelaskan {num(person, '.1f')}% variansi, efek alat ukur (asesi × alat ukur) "
        f"{num(by_exercise, '.1f')}% dan profil kompetensi (asesi × kompetensi) {num(by_competency, '.1f')}%; "
        f"kelonggaran asesor di dalam alat ukur {num(leniency, '.1f')}% dan sisa (interaksi tertinggi bersama "
        f"galat) {num(residual, '.1f')}%. ")
if by_exercise > by_competency:
    text += (f"Seperti pada kebanyakan AC, efek alat ukur {num(by_exercise / by_competency, '.0f')} kali lebih besar "
             "daripada profil kompetensi (Putka & Hoffman 2013: asesi × alat ukur 43–52%, asesi × dimensi "
             "0,5–1,8%; Lance 2008): asesi lebih berbeda dari satu alat ukur ke alat ukur lain daripada dari satu "
             "kompetensi ke kompetensi lain, sehingga nilai per kompetensi hanya sedikit membawa informasi di luar "
             "level umum asesi.")
else:
    text += ("Berbeda dengan kebanyakan AC (Putka & Hoffman 2013; Lance 2008), profil kompetensi di sini lebih besar "
             "daripada efek alat ukur: nilai per kompetensi membawa informasi tersendiri.")
say(text)''',
      "en": '''text = (f"The candidates' general level accounts for {num(person, '.1f')}% of the variance, the exercise "
        f"effect (candidate × exercise) for {num(by_exercise, '.1f')}% and the competency profile (candidate × "
        f"competency) for {num(by_competency, '.1f')}%; assessor leniency within exercises takes "
        f"{num(leniency, '.1f')}% and the residual (highest-order interaction with error) {num(residual, '.1f')}%. ")
if by_exercise > by_competency:
    text += (f"As in most ACs, the exercise effect is {num(by_exercise / by_competency, '.0f')} times the competency "
             "profile (Putka & Hoffman 2013: candidate × exercise 43–52%, candidate × dimension 0.5–1.8%; Lance "
             "2008): candidates differ more from exercise to exercise than from competency to competency, so "
             "competency scores carry little information beyond the candidate's general level.")
else:
    text += ("Unlike most ACs (Putka & Hoffman 2013; Lance 2008), the competency profile here outweighs the "
             "exercise effect: competency scores carry information of their own.")
say(text)'''}),
    ("md", {"id": """### Reliabilitas nilai akhir
`oar_reliability` memberi, untuk desain sebagaimana teramati (jumlah alat ukur dan asesor per asesi; kompetensi
tetap, sama untuk semua asesi), koefisien generalisabilitas Eρ² (galat relatif: cocok untuk mengurutkan asesi)
dan keterandalan Φ (galat absolut: cocok untuk membandingkan skor dengan batas tetap, misalnya kategori JPM),
dengan selang metode delta. Standar: `standard_g`.""",
            "en": """### Reliability of the overall rating
`oar_reliability` gives, for the design as observed (the numbers of exercises and assessors per candidate;
competencies fixed, the same for everyone), the generalizability coefficient Eρ² (relative error: fits ranking
candidates) and the dependability Φ (absolute error: fits comparing a score with a fixed cut-off such as a JPM
category), with delta-method intervals. Standard: `standard_g`."""}),
    ("code", '''oar_rel = g.oar_reliability(fixed=["competency"], level=0.95)
oar_rel.round(3)'''),
    ("say", '''g_rel, g_lo, g_hi = oar_rel["g_coefficient"], oar_rel["g_coefficient_ci_low"], oar_rel["g_coefficient_ci_high"]
phi, phi_lo, phi_hi = oar_rel["phi"], oar_rel["phi_ci_low"], oar_rel["phi_ci_high"]''',
     {"id": '''say(f"Untuk desain instansi ini (rata-rata {num(g.sizes['exercise'], '.1f')} alat ukur per asesi dan "
    f"{num(g.sizes.get('assessor', 1.0), '.1f')} asesor per sel): Eρ² = {num(g_rel)} ({ci(g_lo, g_hi)}), "
    f"{verdict(g_rel, g_lo, g_hi, standard_g)}; Φ = {num(phi)} ({ci(phi_lo, phi_hi)}), "
    f"{verdict(phi, phi_lo, phi_hi, standard_g)}. Φ-lah yang berlaku untuk kategori JPM dan kotak manajemen "
    "talenta, karena di sana skor dibandingkan dengan batas tetap; Φ lebih rendah daripada Eρ² karena galat "
    "absolut juga memuat efek utama asesor dan alat ukur, yang menggeser level semua asesi tanpa mengubah urutannya.")''',
      "en": '''say(f"For this agency's design (on average {num(g.sizes['exercise'], '.1f')} exercises per candidate and "
    f"{num(g.sizes.get('assessor', 1.0), '.1f')} assessors per cell): Eρ² = {num(g_rel)} ({ci(g_lo, g_hi)}), "
    f"{verdict(g_rel, g_lo, g_hi, standard_g)}; Φ = {num(phi)} ({ci(phi_lo, phi_hi)}), "
    f"{verdict(phi, phi_lo, phi_hi, standard_g)}. Φ is the one that counts for JPM categories and the nine-box "
    "grid, where a score meets a fixed cut-off; it is below Eρ² because absolute error also holds the assessor "
    "and exercise main effects, which move everyone's level without changing their order.")'''}),
    ("md", {"id": """### Studi D: desain lain
`d_study` menghitung Φ untuk jumlah alat ukur dan asesor per alat ukur yang lain (kompetensi tetap). Studi D
mengandaikan desain lengkap (setiap kompetensi pada setiap alat ukur), sehingga pada ukuran teramati nilainya
dapat sedikit berbeda dari Φ di atas.""",
            "en": """### D study: other designs
`d_study` computes Φ for other numbers of exercises and of assessors per exercise (competencies fixed). The D
study assumes a complete design (every competency in every exercise), so at the observed sizes it can differ a
little from the Φ above."""}),
    ("code", '''ex_now, as_now = int(round(g.sizes["exercise"])), int(round(g.sizes.get("assessor", 1)))
ds = g.d_study(fixed=["competency"], exercise=sorted({2, 3, 4, 5, 6, ex_now + 1}),
               assessor=sorted({1, 2, 3, as_now + 1}))
ds.pivot(index="exercise", columns="assessor", values="phi").round(3)'''),
    ("say", '''grid = ds.set_index(["exercise", "assessor"])["phi"]
now, more_ex, more_as = grid[(ex_now, as_now)], grid[(ex_now + 1, as_now)], grid[(ex_now, as_now + 1)]
enough = ds[ds["phi"] >= standard_g].sort_values(["exercise", "assessor"])''',
     {"id": '''text = (f"Dengan desain lengkap {ex_now} alat ukur dan {as_now} asesor per alat ukur, Φ = {num(now, '.3f')}. "
        f"Satu alat ukur tambahan memberi {num(more_ex, '.3f')} ({num(more_ex - now, '+.3f')}), satu asesor "
        f"tambahan per alat ukur {num(more_as, '.3f')} ({num(more_as - now, '+.3f')}). ")
text += ("Menambah alat ukur lebih bermanfaat daripada menambah asesor, karena komponen asesi × alat ukur yang besar "
         "hanya dirata-rata atas alat ukur; inilah bentuk kuantitatif prinsip *multiple exercises* (International "
         "Taskforce 2015). " if more_ex - now > more_as - now
         else "Di sini asesor tambahan sama atau lebih bermanfaat daripada alat ukur tambahan. ")
text += (f"Desain dengan alat ukur (lalu asesor) paling sedikit dalam tabel yang mencapai Φ ≥ {num(standard_g)}: "
         f"{int(enough.iloc[0]['exercise'])} alat ukur dan {int(enough.iloc[0]['assessor'])} asesor per alat ukur."
         if len(enough) else f"Tidak ada desain dalam tabel yang mencapai Φ ≥ {num(standard_g)}.")
say(text)''',
      "en": '''text = (f"With a complete design of {ex_now} exercises and {as_now} assessors per exercise, Φ = "
        f"{num(now, '.3f')}. One more exercise gives {num(more_ex, '.3f')} ({num(more_ex - now, '+.3f')}), one more "
        f"assessor per exercise {num(more_as, '.3f')} ({num(more_as - now, '+.3f')}). ")
text += ("Adding exercises pays off more than adding assessors, because the large candidate × exercise component "
         "is averaged over exercises only: the quantitative form of the 'multiple exercises' rule (International "
         "Taskforce 2015). " if more_ex - now > more_as - now
         else "Here an extra assessor pays off as much as or more than an extra exercise. ")
text += (f"The design in the table with the fewest exercises (then assessors) that reaches Φ ≥ {num(standard_g)}: "
         f"{int(enough.iloc[0]['exercise'])} exercises and {int(enough.iloc[0]['assessor'])} "
         f"{'assessor' if enough.iloc[0]['assessor'] == 1 else 'assessors'} per exercise." if len(enough) else f"No design in the table reaches Φ ≥ {num(standard_g)}.")
say(text)'''}),
    # 6. construct validity -----------------------------------------------------------------------------------
    ("md", {"id": """## 6. Validitas konstruk: kompetensi atau alat ukur?
Pandangan *multitrait-multimethod* (Campbell & Fiske 1959): penilaian kompetensi yang sama pada alat ukur yang
berbeda (konvergen) semestinya berkorelasi lebih tinggi daripada penilaian kompetensi berbeda pada alat ukur yang
sama (*heterotrait-monomethod*) dan kompetensi berbeda pada alat ukur berbeda (*heterotrait-heteromethod*). Selang:
bootstrap atas asesi.""",
            "en": """## 6. Construct validity: competencies or exercises?
The multitrait-multimethod view (Campbell & Fiske 1959): ratings of the same competency in different exercises
(convergent) should correlate more than ratings of different competencies in the same exercise
(heterotrait-monomethod) and of different competencies in different exercises (heterotrait-heteromethod).
Intervals: bootstrap over candidates."""}),
    ("code", '''m = pk.mtmm(ratings, person="candidate", trait="competency", method="exercise", n_boot=n_boot, seed=seed)
m.means.drop(columns="description").round(3)'''),
    ("say", '''conv, mono, hetero = m.convergent, m.heterotrait_monomethod, m.heterotrait_heteromethod
separated = mono.ci_low > conv.ci_high or conv.ci_low > mono.ci_high''',
     {"id": '''text = (f"Kompetensi sama, alat ukur berbeda: rerata r = {num(conv.value)} ({ci(conv.ci_low, conv.ci_high)}); "
        f"kompetensi berbeda, alat ukur sama: {num(mono.value)} ({ci(mono.ci_low, mono.ci_high)}); kompetensi "
        f"berbeda, alat ukur berbeda: {num(hetero.value)} ({ci(hetero.ci_low, hetero.ci_high)}). ")
if m.exercise_effect > 0:
    text += (f"Nilai lebih mengikuti alat ukur daripada kompetensi (efek alat ukur {num(m.exercise_effect, '+.2f')}"
             + ("; selang keduanya tidak tumpang tindih" if separated else "; namun selang keduanya tumpang tindih")
             + "), pola yang umum pada AC (Lance 2008; Lievens & Conway 2001): nilai per kompetensi, dan JPM yang "
             "dibangun darinya, kurang didukung sebagai ukuran kompetensi yang terpisah; nilai akhir berpijak pada "
             "dasar yang lebih kuat.")
else:
    text += ("Kompetensi yang sama berkorelasi lebih tinggi antaralat ukur daripada kompetensi berbeda dalam satu "
             "alat ukur: nilai per kompetensi mendapat dukungan konvergen.")
say(text)''',
      "en": '''text = (f"Same competency, different exercises: mean r = {num(conv.value)} ({ci(conv.ci_low, conv.ci_high)}); "
        f"different competencies, same exercise: {num(mono.value)} ({ci(mono.ci_low, mono.ci_high)}); different "
        f"competencies, different exercises: {num(hetero.value)} ({ci(hetero.ci_low, hetero.ci_high)}). ")
if m.exercise_effect > 0:
    text += (f"Ratings follow the exercise more than the competency (exercise effect {num(m.exercise_effect, '+.2f')}"
             + ("; the two intervals do not overlap" if separated else "; but the two intervals overlap")
             + "), the usual AC pattern (Lance 2008; Lievens & Conway 2001): competency scores, and the JPM built "
             "from them, have little support as separate measures of the competencies; the overall rating stands "
             "on firmer ground.")
else:
    text += ("The same competency correlates more across exercises than different competencies within one "
             "exercise: competency scores have convergent support.")
say(text)'''}),
    # 7. predictive validity ----------------------------------------------------------------------------------
    ("md", {"id": """## 7. Apakah asesmen memprediksi kinerja?
Kinerja biasanya hanya diketahui untuk asesi yang terpilih dan menjabat, sehingga korelasi teramati antara nilai akhir dan
kinerja mengecil dua kali: karena nilai kinerja tidak sepenuhnya reliabel, dan karena rentang nilai akhir pada
yang terpilih terbatas. `validity_study` mengoreksi keduanya dengan koreksi keterbatasan rentang tidak langsung
Case IV (Hunter, Schmidt & Le 2006), memakai Eρ² nilai akhir dari studi G dan parameter `criterion_reliability`;
selangnya adalah bootstrap atas seluruh rantai koreksi. Standar: `standard_validity`. Rujukan meta-analisis
validitas AC terkoreksi: 0,37 (Gaugler dkk. 1987) dan 0,28 (selang 95% 0,24–0,32; Hermelin, Lievens & Robertson
2007).""",
            "en": """## 7. Does the assessment predict performance?
Performance is usually known only for the candidates who were selected and served in the post, so the observed
correlation between the OAR and performance is shrunk twice: by the unreliability of the performance ratings and
by the restricted range of the OAR among those selected. `validity_study` corrects for both with Case IV indirect
range restriction (Hunter, Schmidt & Le 2006), the OAR's Eρ² from the G study and the `criterion_reliability`
parameter; its interval is a bootstrap of the whole correction chain. Standard: `standard_validity`.
Meta-analytic corrected AC validities: .37 (Gaugler et al. 1987) and .28 (95% CI .24–.32; Hermelin, Lievens &
Robertson 2007)."""}),
    ("code", {"id": '''n_criterion = int(cand["performance"].notna().sum())
enough = n_criterion >= min_criterion_n  # dengan lebih sedikit nilai kinerja, bagian 7-9 dan 11 dilewati
vs = None
if enough:
    vs = pk.validity_study(cand[["oar", "performance"]], predictor="oar", criterion="performance",
                           rxxa=g_rel, ryyi=criterion_reliability, n_boot=n_boot, seed=seed)
    display(vs.round(3))''',
              "en": '''n_criterion = int(cand["performance"].notna().sum())
enough = n_criterion >= min_criterion_n  # with fewer performance ratings, sections 7-9 and 11 are skipped
vs = None
if enough:
    vs = pk.validity_study(cand[["oar", "performance"]], predictor="oar", criterion="performance",
                           rxxa=g_rel, ryyi=criterion_reliability, n_boot=n_boot, seed=seed)
    display(vs.round(3))'''}),
    ("say", '''obs, op = vs.loc["observed"], vs.loc["operational"]
includes_zero = op["ci_low"] <= 0 <= op["ci_high"]
meta_low, meta_high = 0.28, 0.37  # Hermelin et al. 2007; Gaugler et al. 1987
meta_inside = op["ci_low"] <= meta_high and op["ci_high"] >= meta_low''',
     {"id": '''text = (f"Teramati pada {int(obs['n'])} asesi yang memiliki nilai kinerja: r = {num(obs['r'])} "
        f"({ci(obs['ci_low'], obs['ci_high'])}). Simpangan baku nilai akhir pada mereka {num(vs.attrs['u'])} kali "
        f"simpangan baku pada seluruh asesi (u, keterbatasan rentang). Setelah kedua koreksi, validitas "
        f"operasional = {num(op['r'])} ({ci(op['ci_low'], op['ci_high'])}): "
        f"{verdict(op['r'], op['ci_low'], op['ci_high'], standard_validity)}. ")
if includes_zero:
    text += ("Selangnya mencakup nol: dengan jumlah nilai kinerja sebanyak ini data belum dapat menunjukkan bahwa "
             "asesmen memprediksi kinerja. Gabungkan dengan instansi lain (meta-analisis lintas instansi dalam "
             "laporan validasi) atau tunggu nilai kinerja yang lebih banyak. ")
meta = f"{num(meta_low)}–{num(meta_high)}"
if meta_inside and includes_zero:
    text += (f"Selang ini memuat nol sekaligus nilai meta-analisis {meta}: data ini belum dapat membedakan AC yang "
             "bekerja sebaik di tempat lain dari AC yang tidak memprediksi apa pun.")
elif meta_inside:
    text += f"Nilai meta-analisis {meta} berada di dalam selang ini: validitas instansi ini sejalan dengan AC di tempat lain."
else:
    side = "di bawah" if op["ci_high"] < meta_low else "di atas"
    text += (f"Seluruh selang berada {side} nilai meta-analisis {meta}: validitas instansi ini berbeda dari yang "
             "dicapai AC di tempat lain; telaah kriteria kinerja dan desain asesmennya.")
say(text)''',
      "en": '''text = (f"Observed on {int(obs['n'])} candidates with a performance rating: r = {num(obs['r'])} "
        f"({ci(obs['ci_low'], obs['ci_high'])}). The SD of the OAR among them is {num(vs.attrs['u'])} times its SD "
        f"among all candidates (u, the range restriction). With both corrections the operational validity is "
        f"{num(op['r'])} ({ci(op['ci_low'], op['ci_high'])}): "
        f"{verdict(op['r'], op['ci_low'], op['ci_high'], standard_validity)}. ")
if includes_zero:
    text += ("The interval includes zero: with this many performance ratings the data cannot yet show that the "
             "assessment predicts performance. Pool this agency with others (the cross-agency meta-analysis of the "
             "validation reports) or wait for more performance ratings. ")
meta = f"{num(meta_low)}–{num(meta_high)}"
if meta_inside and includes_zero:
    text += (f"The interval holds both zero and the meta-analytic values {meta}: these data cannot tell an AC that "
             "works as well as elsewhere from one that predicts nothing.")
elif meta_inside:
    text += f"The meta-analytic values {meta} lie within this interval: the agency's validity is in line with ACs elsewhere."
else:
    side = "below" if op["ci_high"] < meta_low else "above"
    text += (f"The whole interval lies {side} the meta-analytic values {meta}: the agency's validity differs from "
             "what ACs achieve elsewhere; review the performance criterion and the assessment design.")
say(text)'''},
     "vs is None"),
    # 8. incremental validity ---------------------------------------------------------------------------------
    ("md", {"id": """## 8. Apakah AC menambah daya prediksi tes psikologi?
Regresi hierarkis kinerja pada skor tes kognitif (tahap 1), lalu nilai akhir AC (tahap 2). Tambahan R² (ΔR²)
adalah bagian variansi kinerja yang dijelaskan AC di luar tes; selangnya bootstrap, ujinya uji F pada taraf
`test_level`.""",
            "en": """## 8. Does the AC add to the psychological test?
Hierarchical regression of performance on the cognitive test score (step 1), then the OAR (step 2). ΔR² is the
share of performance variance the AC explains beyond the test; its interval is a bootstrap, its test an F test at
level `test_level`."""}),
    ("code", '''iv = None
if enough:
    iv = pk.incremental_validity(cand[["performance", "cognitive", "oar"]].dropna(), criterion="performance",
                                 base=["cognitive"], added=["oar"], n_boot=n_boot, seed=seed)
    display(iv.steps.assign(delta_r2=[np.nan, iv.delta], ci_low=[np.nan, iv.delta_ci[0]],
                            ci_high=[np.nan, iv.delta_ci[1]], F=[np.nan, iv.statistic], p=[np.nan, iv.p_value]).round(3))'''),
    ("say", '''r2_base, r2_full = iv.steps["r2"].iloc[0], iv.steps["r2"].iloc[-1]''',
     {"id": '''say(f"Tes kognitif saja menjelaskan {pct(r2_base, 1)} variansi kinerja (n = {iv.n}); dengan nilai akhir AC "
    f"menjadi {pct(r2_full, 1)}: ΔR² = {num(iv.delta, '.3f')} ({ci(iv.delta_ci[0], iv.delta_ci[1], '.3f')}), "
    f"F({int(iv.df1)}, {int(iv.df2)}) = {num(iv.statistic)}, p = {pval(iv.p_value)}. "
    + (f"Pada taraf {num(test_level)}, AC menambah daya prediksi secara bermakna di atas tes psikologi."
       if iv.p_value < test_level else
       f"Pada taraf {num(test_level)}, tambahan dari AC belum dapat dibedakan dari kebetulan pada data ini; "
       "batas bawah selang bootstrap ΔR² tidak pernah di bawah nol, jadi putusannya bersandar pada uji F."))''',
      "en": '''say(f"The cognitive test alone explains {pct(r2_base, 1)} of the variance of performance (n = {iv.n}); with the "
    f"OAR this becomes {pct(r2_full, 1)}: ΔR² = {num(iv.delta, '.3f')} ({ci(iv.delta_ci[0], iv.delta_ci[1], '.3f')}), "
    f"F({int(iv.df1)}, {int(iv.df2)}) = {num(iv.statistic)}, p = {pval(iv.p_value)}. "
    + (f"At the {num(test_level)} level the AC adds significantly to the psychological test."
       if iv.p_value < test_level else
       f"At the {num(test_level)} level the AC's addition cannot be told apart from chance in these data; the "
       "bootstrap interval of ΔR² never reaches below zero, so the decision rests on the F test."))'''},
     "iv is None"),
    # 9. fairness ---------------------------------------------------------------------------------------------
    ("md", {"id": """## 9. Apakah asesmen adil?
Tiga pertanyaan. Apakah rasio seleksi antarkelompok setara? Aturan empat-perlima (Uniform Guidelines 1978): rasio
dampak, yaitu rasio seleksi suatu kelompok dibagi rasio seleksi kelompok tertinggi, semestinya sekurang-kurangnya
`standard_impact_ratio`. Seberapa jauh nilai akhir kelompok berbeda (selisih terstandar d)? Apakah nilai akhir
memprediksi kinerja sama baiknya untuk setiap kelompok (prediksi diferensial, Cleary 1968)? Kelompok dibandingkan
dengan kelompok acuan `reference_group`.""",
            "en": """## 9. Is it fair?
Three questions. Are selection rates similar across groups? The four-fifths rule (Uniform Guidelines 1978): the
impact ratio, a group's selection rate over the highest group's, should be at least `standard_impact_ratio`.
How far apart are the groups' OARs (standardized difference d)? Does the OAR predict performance equally well for
each group (differential prediction, Cleary 1968)? Groups are compared with the reference group
`reference_group`."""}),
    ("code", '''ai = pk.adverse_impact(cand, group=fairness_group, selected="selected")
ai.round(3)'''),
    ("say", '''lowest = ai["impact_ratio"].idxmin()
worst = ai.loc[lowest]''',
     {"id": '''rates = "; ".join(f"{names([grp])} {pct(r['selection_rate'])} ({int(r['n_selected'])} dari {int(r['n'])})"
                  for grp, r in ai.iterrows())
say(f"Rasio seleksi: {rates}. Rasio dampak terendah {num(worst['impact_ratio'])} untuk {names([lowest])} "
    f"dibandingkan {names([ai.attrs['reference']])} ({ci(worst['ci_low'], worst['ci_high'])}; uji eksak Fisher "
    f"p = {pval(worst['p_fisher']) if np.isfinite(worst['p_fisher']) else 'tidak tersedia'}): "
    f"{verdict(worst['impact_ratio'], worst['ci_low'], worst['ci_high'], standard_impact_ratio)}.")''',
      "en": '''rates = "; ".join(f"{names([grp])} {pct(r['selection_rate'])} ({int(r['n_selected'])} of {int(r['n'])})"
                  for grp, r in ai.iterrows())
say(f"Selection rates: {rates}. The lowest impact ratio is {num(worst['impact_ratio'])} for {names([lowest])} "
    f"against {names([ai.attrs['reference']])} ({ci(worst['ci_low'], worst['ci_high'])}; Fisher's exact test "
    f"p = {pval(worst['p_fisher']) if np.isfinite(worst['p_fisher']) else 'not available'}): "
    f"{verdict(worst['impact_ratio'], worst['ci_low'], worst['ci_high'], standard_impact_ratio)}.")'''}),
    ("code", '''sd = pk.subgroup_differences(cand, group=fairness_group, score="oar", reference=reference_group)
sd.round(3)'''),
    ("say", '''''',
     {"id": '''parts = []
for grp, r in sd.iterrows():
    side = "lebih tinggi" if r["d"] > 0 else "lebih rendah"
    zero = "mencakup" if r["d_ci_low"] <= 0 <= r["d_ci_high"] else "tidak mencakup"
    parts.append(f"nilai akhir {names([grp])} {num(abs(r['d']))} simpangan baku {side} daripada "
                 f"{names([reference_group])} (d = {num(r['d'])}, {ci(r['d_ci_low'], r['d_ci_high'])}; selangnya "
                 f"{zero} nol)")
say("Perbedaan skor: " + "; ".join(parts) + ". Perbedaan rerata sendiri bukan bukti bias: pertanyaannya adalah "
    "apakah perbedaan itu juga tampak pada kinerja, dan itu diuji oleh prediksi diferensial di bawah.")''',
      "en": '''parts = []
for grp, r in sd.iterrows():
    side = "higher" if r["d"] > 0 else "lower"
    zero = "includes" if r["d_ci_low"] <= 0 <= r["d_ci_high"] else "excludes"
    parts.append(f"the OAR of {names([grp])} is {num(abs(r['d']))} SD {side} than that of "
                 f"{names([reference_group])} (d = {num(r['d'])}, {ci(r['d_ci_low'], r['d_ci_high'])}; the interval "
                 f"{zero} zero)")
say("Score differences: " + "; ".join(parts) + ". A mean difference alone is no proof of bias: the question is "
    "whether it shows in performance too, which differential prediction below tests.")'''}),
    ("code", '''dp = None
if enough:
    dp = pk.differential_prediction(cand.dropna(subset=["performance"]), predictor="oar", criterion="performance",
                                    group=fairness_group, reference=reference_group)
    display(dp.tests.round(3))'''),
    ("say", '''omnibus = dp.tests.loc["omnibus"]''',
     {"id": '''text = (f"Uji gabungan kemiringan dan intersep (regresi Cleary, n = {dp.n}): F({int(omnibus['df1'])}, "
        f"{int(omnibus['df2'])}) = {num(omnibus['F'])}, p = {pval(omnibus['p'])}. ")
if omnibus["p"] >= test_level:
    text += (f"Pada taraf {num(test_level)} tidak ada bukti bahwa nilai akhir memprediksi kinerja secara berbeda "
             f"antarkelompok. Dengan {dp.n} orang daya uji ini rendah: tidak adanya bukti belum merupakan bukti "
             "keadilan.")
else:
    text += (f"Garis regresi kelompok berbeda: kemiringan p = {pval(dp.tests.loc['slopes', 'p'])}, intersep "
             f"p = {pval(dp.tests.loc['intercepts', 'p'])} (keduanya dibaca hanya karena uji gabungan bermakna; "
             "Lautenschlager & Mendoza 1986). Satu garis prediksi untuk semua kelompok akan melebih- atau "
             "mengurangi perkiraan kinerja salah satu kelompok.")
say(text)''',
      "en": '''text = (f"Joint test of slopes and intercepts (Cleary regression, n = {dp.n}): F({int(omnibus['df1'])}, "
        f"{int(omnibus['df2'])}) = {num(omnibus['F'])}, p = {pval(omnibus['p'])}. ")
if omnibus["p"] >= test_level:
    text += (f"At the {num(test_level)} level there is no evidence that the OAR predicts performance differently "
             f"for the groups. With {dp.n} persons the test has little power: absence of evidence is not evidence "
             "of fairness.")
else:
    text += (f"The groups' regression lines differ: slopes p = {pval(dp.tests.loc['slopes', 'p'])}, intercepts "
             f"p = {pval(dp.tests.loc['intercepts', 'p'])} (read only because the joint test is significant; "
             "Lautenschlager & Mendoza 1986). One prediction line for all groups would over- or under-predict the "
             "performance of one of them.")
say(text)'''},
     "dp is None"),
    # 10. JPM -------------------------------------------------------------------------------------------------
    ("md", {"id": """## 10. Manajemen talenta: Job Person Match
Level yang dicapai seorang asesi pada setiap kompetensi (`d.achieved_levels()`) adalah rerata penilaiannya,
dibulatkan ke bilangan bulat terdekat (setengah dibulatkan ke atas), di dalam rentang level 1–5. JPM = jumlah level yang dicapai / jumlah level standar jabatan × 100; level
standar per jenjang jabatan berasal dari `competency_standard` (instansi dapat memberikan tabelnya sendiri);
fungsi manajemen talenta memasangkan masukannya menurut ID asesi.
Kategori pemetaan mengikuti `jpm_cuts`: Kurang Optimal di bawah batas pertama, Cukup Optimal sampai di bawah batas
kedua, Optimal mulai batas kedua.""",
            "en": """## 10. Talent management: Job Person Match
A candidate's achieved level on a competency (`d.achieved_levels()`) is the mean of their ratings rounded half
up, within levels 1–5.
JPM = sum of the achieved levels / sum of the levels the post requires × 100; the required levels per position
level come from `competency_standard` (an agency can pass its own table); the talent functions match their
inputs by candidate id. Mapping categories follow `jpm_cuts`:
Kurang Optimal below the first cut, Cukup Optimal up to the second, Optimal from the second."""}),
    ("code", '''achieved = d.achieved_levels()
level = cand["position_level"].astype(str)
jpm = pk.job_person_match(achieved, level)
category = pk.jpm_category(jpm, cuts=jpm_cuts)
pd.crosstab(level.loc[jpm.index], category, margins=True)'''),
    ("say", '''shares = category.value_counts()
required = {lv: pk.competency_standard(lv) for lv in sorted(level.unique())}
at_floor = [lv for lv, s in required.items() if (s <= 1).all()]  # every required level 1: JPM 100 for everyone
by_level = pd.crosstab(level.loc[jpm.index], category, normalize="index")''',
     {"id": '''std_text = "; ".join(f"{names([lv])} level {num(s.min(), 'g')}" + (f"–{num(s.max(), 'g')}" if s.max() > s.min() else "")
                     for lv, s in required.items())
text = (f"Standar kompetensi: {std_text}. Rerata JPM {num(jpm.mean(), '.1f')} (median {num(jpm.median(), '.1f')}); "
        + ", ".join(f"{cat} {shares.get(cat, 0)} asesi ({pct(shares.get(cat, 0) / jpm.notna().sum())})"
                    for cat in category.cat.categories) + ". ")
if len(by_level) > 1:
    top = category.cat.categories[-1]
    text += (f"Proporsi {top} tertinggi pada {names([by_level[top].idxmax()])} ({pct(by_level[top].max())}) dan "
             f"terendah pada {names([by_level[top].idxmin()])} ({pct(by_level[top].min())}). ")
if at_floor:
    text += (f"Standar {names(at_floor)} adalah level 1 untuk semua kompetensi, sehingga setiap asesi jenjang itu "
             "mencapai JPM 100: JPM tidak membedakan mereka; periksa tabel standar instansi. ")
if jpm.isna().any():
    text += f"{int(jpm.isna().sum())} asesi tidak memiliki level pada kompetensi yang dipersyaratkan; JPM mereka tidak dihitung."
say(text)''',
      "en": '''std_text = "; ".join(f"{names([lv])} level {num(s.min(), 'g')}" + (f"–{num(s.max(), 'g')}" if s.max() > s.min() else "")
                     for lv, s in required.items())
text = (f"Required levels: {std_text}. Mean JPM {num(jpm.mean(), '.1f')} (median {num(jpm.median(), '.1f')}); "
        + ", ".join(f"{cat} {shares.get(cat, 0)} candidates ({pct(shares.get(cat, 0) / jpm.notna().sum())})"
                    for cat in category.cat.categories) + ". ")
if len(by_level) > 1:
    top = category.cat.categories[-1]
    text += (f"The share in {top} is highest for {names([by_level[top].idxmax()])} ({pct(by_level[top].max())}) and "
             f"lowest for {names([by_level[top].idxmin()])} ({pct(by_level[top].min())}). ")
if at_floor:
    text += (f"The standard of {names(at_floor)} is level 1 on every competency, so every candidate at that level "
             "reaches JPM 100: JPM does not tell them apart; check the agency's standards table. ")
if jpm.isna().any():
    text += f"{int(jpm.isna().sum())} candidates lack a level on a required competency; their JPM is not computed."
say(text)'''}),
    ("md", {"id": """`gaps` memberi selisih level yang dicapai terhadap level standar per asesi dan kompetensi; proporsi asesi di
bawah standar per kompetensi menunjukkan kebutuhan pengembangan kompetensi di tingkat instansi.""",
            "en": """`gaps` gives the achieved minus the required level per candidate and competency; the share of candidates
below the standard on each competency shows the agency's development needs."""}),
    ("code", '''gap = pk.gaps(achieved, level)
(gap < 0).mean().sort_values(ascending=False).rename("share_below_standard").round(3)'''),
    ("say", '''below = (gap < 0).mean().sort_values(ascending=False)
top3 = below.head(3)''',
     {"id": '''say("Kompetensi yang paling sering di bawah standar: "
    + "; ".join(f"{names([k])} ({pct(v)} asesi)" for k, v in top3.items())
    + f". Yang paling jarang: {names([below.index[-1]])} ({pct(below.iloc[-1])}). Karena nilai per kompetensi "
    "banyak dipengaruhi alat ukur (bagian 5 dan 6), periksa apakah kompetensi yang lemah itu diukur terutama oleh "
    "satu alat ukur sebelum merancang program pengembangan untuknya.")''',
      "en": '''say("The competencies most often below the standard: "
    + "; ".join(f"{names([k])} ({pct(v)} of candidates)" for k, v in top3.items())
    + f". The least often: {names([below.index[-1]])} ({pct(below.iloc[-1])}). Since competency scores follow the "
    "exercises closely (sections 5 and 6), check whether a weak competency is measured mainly by one exercise "
    "before designing a development programme for it.")'''}),
    ("md", {"id": """### Seberapa pasti kategori JPM?
Skor JPM mengandung galat pengukuran, sehingga asesi di dekat batas dapat jatuh ke sisi lain pada asesmen paralel.
`decision_consistency` memasang model skor murni normal di sekitar setiap JPM dengan keterandalan Φ nilai akhir
sebagai reliabilitasnya, lalu memberi untuk kohort: peluang asesmen paralel memberi kategori yang sama
(*agreement*), kappa yang dikoreksi untuk kebetulan, dan peluang kategori sama dengan kategori skor murni
(*accuracy*). Standar: kappa ≥ `standard_kappa` (Landis & Koch 1977: di atas 0,60 substansial).""",
            "en": """### How sure is a JPM category?
A JPM score carries measurement error, so a candidate near a cut could fall on the other side in a parallel
assessment. `decision_consistency` puts a normal true-score model around each JPM, with the OAR's dependability
Φ as its reliability, and gives for the cohort: the chance that a parallel assessment gives the same category
(agreement), its chance-corrected kappa, and the chance that the category is that of the true score (accuracy).
Standard: kappa ≥ `standard_kappa` (Landis & Koch 1977: above .60 substantial)."""}),
    ("code", '''dc = pk.decision_consistency(jpm.dropna(), reliability=min(phi, 1.0), cuts=jpm_cuts,
                             labels=list(category.cat.categories), n_boot=n_boot, seed=seed)
dc.attrs["consistency"].round(3)'''),
    ("say", '''jc = dc.attrs["consistency"]
kappa = jc.loc["kappa"]
band = (dc["sem_high"] - dc["score"]).dropna().iloc[0]
unsure = int((dc["p_assigned"] < 0.5).sum())''',
     {"id": '''say(f"Asesmen paralel akan menempatkan {pct(jc.loc['agreement', 'value'])} asesi pada kategori yang sama; "
    f"kappa = {num(kappa['value'])} ({ci(kappa['ci_low'], kappa['ci_high'])}): "
    f"{verdict(kappa['value'], kappa['ci_low'], kappa['ci_high'], standard_kappa)}. Kategori sama dengan kategori "
    f"skor murni untuk {pct(jc.loc['accuracy', 'value'])} asesi. Pita 95% di sekitar skor JPM adalah "
    f"± {num(band, '.1f')} poin, sehingga asesi yang berjarak kurang dari itu dari suatu batas dapat berada di sisi "
    f"mana pun: bagi {unsure} asesi ({pct(unsure / len(dc))}) kategori yang diberikan lebih mungkin salah daripada "
    "benar. Sampaikan kategori mereka beserta ketidakpastiannya, bukan sebagai fakta. JPM naik dalam langkah "
    "diskret dan dibatasi 100, sehingga model normal hanya pendekatan.")''',
      "en": '''say(f"A parallel assessment would put {pct(jc.loc['agreement', 'value'])} of the candidates in the same "
    f"category; kappa = {num(kappa['value'])} ({ci(kappa['ci_low'], kappa['ci_high'])}): "
    f"{verdict(kappa['value'], kappa['ci_low'], kappa['ci_high'], standard_kappa)}. The category is that of the "
    f"true score for {pct(jc.loc['accuracy', 'value'])} of them. The 95% band around a JPM score is "
    f"± {num(band, '.1f')} points, so a candidate closer than that to a cut could belong on either side: for "
    f"{candidates(unsure)} ({pct(unsure / len(dc))}) the assigned category is more likely wrong than right. Report "
    "their category with its uncertainty, not as a fact. JPM moves in discrete steps and is capped at 100, so the "
    "normal model is an approximation.")'''}),
    # 11. nine-box --------------------------------------------------------------------------------------------
    ("md", {"id": """## 11. Kotak manajemen talenta
PermenPANRB 3/2020 menempatkan setiap pegawai menurut potensi (di sini JPM; batas `potential_cuts`) dan kinerja
(batas `performance_cuts`): dari kotak 1 (potensi rendah, kinerja di bawah ekspektasi) sampai kotak 9 (potensi
tinggi, kinerja di atas ekspektasi). `placement_consistency` menyimulasikan pengukuran paralel kedua sumbu dari
reliabilitasnya (potensi: Φ nilai akhir; kinerja: `criterion_reliability`) dan memberi peluang setiap asesi untuk
setiap kotak; selang kappa adalah bootstrap atas asesi yang juga memuat ketidakpastian Φ.""",
            "en": """## 11. The nine-box talent grid
PermenPANRB 3/2020 places every civil servant by potential (here the JPM; cuts `potential_cuts`) and performance
(cuts `performance_cuts`): from box 1 (low potential, below expectation) to box 9 (high potential, above
expectation). `placement_consistency` simulates parallel measurements of both axes from their reliabilities
(potential: the OAR's Φ; performance: `criterion_reliability`) and gives each candidate's probability of each
box; kappa's interval is a bootstrap over candidates that also carries the uncertainty of Φ."""}),
    ("code", '''pc = None
if enough:
    placed = cand.index[cand["performance"].notna() & jpm.reindex(cand.index).notna()]
    pc = pk.placement_consistency(jpm[placed], cand.loc[placed, "performance"], potential_reliability=min(phi, 1.0),
                                  performance_reliability=criterion_reliability, potential_cuts=potential_cuts,
                                  performance_cuts=performance_cuts, n_sim=2000, seed=seed, n_boot=n_boot,
                                  potential_reliability_ci=(phi_lo, min(phi_hi, 1.0)))
    display(pc.attrs["consistency"].round(3))'''),
    ("say", '''cons = pc.attrs["consistency"]
box = cons.loc["nine_box"]
weaker_axis = "performance" if cons.loc["performance", "kappa"] < cons.loc["potential", "kappa"] else "potential"
unsure_box = int((pc["p_correct"] < 0.5).sum())''',
     {"id": '''axis = {"performance": "kinerja", "potential": "potensi"}[weaker_axis]
say(f"{len(pc)} asesi yang memiliki nilai kinerja ditempatkan. Pengukuran paralel akan menempatkan "
    f"{pct(box['agreement'])} pada kotak yang sama (karena kebetulan saja: {pct(box['chance_agreement'])}); "
    f"kappa = {num(box['kappa'])} ({ci(box['kappa_ci_low'], box['kappa_ci_high'])}): "
    f"{verdict(box['kappa'], box['kappa_ci_low'], box['kappa_ci_high'], standard_kappa)}. Kappa sumbu potensi "
    f"saja {num(cons.loc['potential', 'kappa'])}, sumbu kinerja saja {num(cons.loc['performance', 'kappa'])}: "
    f"sumbu {axis}, yang reliabilitasnya lebih rendah, adalah sumber utama salah tempat. Rata-rata, kotak seorang "
    f"asesi sama dengan kotak skor murninya dengan peluang {num(pc['p_correct'].mean())}; bagi {unsure_box} asesi "
    f"({pct(unsure_box / len(pc))}) peluang itu kurang dari setengah.")''',
      "en": '''say(f"{len(pc)} candidates with a performance rating are placed. A parallel measurement would put "
    f"{pct(box['agreement'])} of them in the same box (by chance alone: {pct(box['chance_agreement'])}); "
    f"kappa = {num(box['kappa'])} ({ci(box['kappa_ci_low'], box['kappa_ci_high'])}): "
    f"{verdict(box['kappa'], box['kappa_ci_low'], box['kappa_ci_high'], standard_kappa)}. Kappa of the potential "
    f"axis alone {num(cons.loc['potential', 'kappa'])}, of the performance axis alone "
    f"{num(cons.loc['performance', 'kappa'])}: the {weaker_axis} axis, with its lower reliability, is the main "
    f"source of misplacement. On average a candidate's box is the box of their true scores with probability "
    f"{num(pc['p_correct'].mean())}; for {candidates(unsure_box)} ({pct(unsure_box / len(pc))}) it is less than "
    "even.")'''},
     "pc is None"),
    ("md", {"id": """Tindak lanjut setiap kotak menurut PermenPANRB 3/2020 (`nine_box_actions`), dengan jumlah asesi per kotak.""",
            "en": """The follow-up of each box under PermenPANRB 3/2020 (`nine_box_actions`), with the number of candidates per
box."""}),
    ("code", {"id": '''actions = pk.nine_box_actions("id")
if pc is not None:
    actions = actions.join(pc["box"].value_counts().rename("n")).fillna({"n": 0})
actions''',
              "en": '''actions = pk.nine_box_actions("en")
if pc is not None:
    actions = actions.join(pc["box"].value_counts().rename("n")).fillna({"n": 0})
actions'''}),
    ("say", '''largest = actions["n"].idxmax()
big = actions.loc[largest]''',
     {"id": '''say(f"Kotak terbanyak adalah kotak {largest} (potensi {big['potential']}, kinerja {big['performance']}): "
    f"{int(big['n'])} asesi, dengan tindak lanjut: {big['action']} Kotak 9 memuat {int(actions.loc[9, 'n'])} asesi, "
    f"kotak 1 memuat {int(actions.loc[1, 'n'])} asesi. Sebelum tindak lanjut diputuskan untuk seseorang, lihat peluang "
    "kotaknya (`pc[['box', 'p_correct']]`): penempatan yang tidak pasti perlu bukti tambahan.")''',
      "en": '''say(f"The largest box is box {largest} ({big['potential']} potential, performance {big['performance']}): "
    f"{int(big['n'])} candidates, whose follow-up is: {big['action']} Box 9 holds {int(actions.loc[9, 'n'])} "
    f"candidates, box 1 holds {int(actions.loc[1, 'n'])}. Before a follow-up is decided for a person, look at the "
    "probability of their box (`pc[['box', 'p_correct']]`): an uncertain placement needs further evidence.")'''},
     "pc is None"),
    ("code", {"id": '''if pc is not None:
    pk.plot_nine_box(pc, lang="id")''', "en": '''if pc is not None:
    pk.plot_nine_box(pc, lang="en")'''}),
    ("md", {"id": """Cara membaca grafik: sumbu mendatar potensi, sumbu tegak kinerja; setiap kotak memuat nomornya, jumlah dan
persentase asesi, dan P(benar), yaitu rata-rata peluang bahwa asesi di kotak itu memang termasuk kotak itu menurut
skor murninya. Makin gelap warnanya, makin pasti penempatannya. Kotak di dekat batas dan kotak yang ditentukan
oleh sumbu yang kurang reliabel biasanya memiliki P(benar) terendah.""",
            "en": """How to read the figure: potential runs across, performance up; each box shows its number, the count and share
of candidates, and P(right), the mean probability that the candidates in the box belong there by their true
scores. The darker the box, the surer its placements. Boxes next to a cut, and boxes decided by the less reliable
axis, usually have the lowest P(right)."""}),
    # 12. summary ---------------------------------------------------------------------------------------------
    ("md", {"id": """## 12. Ringkasan untuk instansi ini
Setiap indikator di atas, dengan selang kepercayaan 95%, standarnya dan penilaiannya. *Memadai* / *belum memadai*:
seluruh selang di atas / di bawah standar; *belum pasti*: estimasi di satu sisi standar tetapi selangnya
melewatinya, sehingga data belum cukup untuk memastikannya.""",
            "en": """## 12. Summary for this agency
Each indicator above with its 95% interval, its standard and its verdict. *Adequate* / *not adequate*: the whole
interval above / below the standard; *uncertain*: the estimate on one side of the standard but the interval
crossing it, so the data cannot settle it yet."""}),
    ("code", {"id": '''rows = {
    "reliabilitas tes (omega total)": (omega["value"], omega["ci_low"], omega["ci_high"], standard_reliability),
    "kesepakatan asesor ICC(1)": (i1["icc"], i1["boot_ci_low"], i1["boot_ci_high"], standard_icc),
    "koefisien G nilai akhir (Eρ²)": (g_rel, g_lo, g_hi, standard_g),
    "keterandalan nilai akhir (Φ)": (phi, phi_lo, phi_hi, standard_g),
    "rasio dampak terendah": (worst["impact_ratio"], worst["ci_low"], worst["ci_high"], standard_impact_ratio),
    "konsistensi kategori JPM (kappa)": (kappa["value"], kappa["ci_low"], kappa["ci_high"], standard_kappa),
}
if vs is not None:
    op = vs.loc["operational"]
    rows["validitas operasional"] = (op["r"], op["ci_low"], op["ci_high"], standard_validity)
if pc is not None:
    box = pc.attrs["consistency"].loc["nine_box"]
    rows["konsistensi kotak talenta (kappa)"] = (box["kappa"], box["kappa_ci_low"], box["kappa_ci_high"], standard_kappa)
summary = pd.DataFrame(rows, index=["nilai", "batas bawah", "batas atas", "standar"]).T
summary["penilaian"] = [verdict_word(*r) for r in rows.values()]
summary.round(3)''',
              "en": '''rows = {
    "test reliability (omega total)": (omega["value"], omega["ci_low"], omega["ci_high"], standard_reliability),
    "assessor agreement ICC(1)": (i1["icc"], i1["boot_ci_low"], i1["boot_ci_high"], standard_icc),
    "G coefficient of the OAR (Eρ²)": (g_rel, g_lo, g_hi, standard_g),
    "dependability of the OAR (Φ)": (phi, phi_lo, phi_hi, standard_g),
    "lowest impact ratio": (worst["impact_ratio"], worst["ci_low"], worst["ci_high"], standard_impact_ratio),
    "JPM category consistency (kappa)": (kappa["value"], kappa["ci_low"], kappa["ci_high"], standard_kappa),
}
if vs is not None:
    op = vs.loc["operational"]
    rows["operational validity"] = (op["r"], op["ci_low"], op["ci_high"], standard_validity)
if pc is not None:
    box = pc.attrs["consistency"].loc["nine_box"]
    rows["nine-box consistency (kappa)"] = (box["kappa"], box["kappa_ci_low"], box["kappa_ci_high"], standard_kappa)
summary = pd.DataFrame(rows, index=["value", "ci_low", "ci_high", "standard"]).T
summary["verdict"] = [verdict_word(*r) for r in rows.values()]
summary.round(3)'''}),
    ("say", '''verdicts = summary.iloc[:, -1]''',
     {"id": '''good = [k for k, v in verdicts.items() if v == "memadai"]
weak = [k for k, v in verdicts.items() if v == "belum memadai"]
open_ = [k for k, v in verdicts.items() if v.endswith("belum pasti")]
say(f"Memadai: {', '.join(good) or 'tidak ada'}. Belum memadai: {', '.join(weak) or 'tidak ada'}. "
    f"Belum pasti: {', '.join(open_) or 'tidak ada'}. Indikator yang belum pasti memerlukan data lebih banyak "
    "(lebih banyak asesi, nilai kinerja, atau penggabungan kohort) sebelum dapat dipakai sebagai dasar keputusan; "
    "laporan validasi instansi (`psikometri report`) memuat indikator yang sama beserta tabel dan grafiknya.")''',
      "en": '''good = [k for k, v in verdicts.items() if v == "adequate"]
weak = [k for k, v in verdicts.items() if v == "not adequate"]
open_ = [k for k, v in verdicts.items() if v.endswith("uncertain")]
say(f"Adequate: {', '.join(good) or 'none'}. Not adequate: {', '.join(weak) or 'none'}. "
    f"Uncertain: {', '.join(open_) or 'none'}. The uncertain indicators need more data (more candidates, more "
    "performance ratings, or pooled cohorts) before they can support decisions; the agency's validation report "
    "(`psikometri report`) holds the same indicators with their tables and figures.")'''}),
    ("md", {"id": """## Rujukan
Brennan, R. L. (2001). *Generalizability Theory*. Springer. — Campbell, D. T., & Fiske, D. W. (1959). *Psychological
Bulletin*, 56, 81–105. — Cleary, T. A. (1968). *Journal of Educational Measurement*, 5, 115–124. — Gaugler, B. B.,
Rosenthal, D. B., Thornton, G. C., & Bentson, C. (1987). *Journal of Applied Psychology*, 72, 493–511. — Hayes,
A. F., & Krippendorff, K. (2007). *Communication Methods and Measures*, 1, 77–89. — Hermelin, E., Lievens, F., &
Robertson, I. T. (2007). *International Journal of Selection and Assessment*, 15, 405–411. — Hunter, J. E.,
Schmidt, F. L., & Le, H. (2006). *Journal of Applied Psychology*, 91, 594–612. — International Taskforce on
Assessment Center Guidelines (2015). *Journal of Management*, 41, 1244–1273. — Koo, T. K., & Li, M. Y. (2016).
*Journal of Chiropractic Medicine*, 15, 155–163. — Krippendorff, K. (2004). *Content Analysis* (2nd ed.). Sage. —
Lance, C. E. (2008). *Industrial and Organizational Psychology*, 1, 84–97. — Landis, J. R., & Koch, G. G. (1977).
*Biometrics*, 33, 159–174. — Lautenschlager, G. J., & Mendoza, J. L. (1986). *Multivariate Behavioral Research*,
21, 93–115. — Lievens, F., & Conway, J. M. (2001). *Journal of Applied Psychology*, 86, 1202–1222. — Nunnally,
J. C., & Bernstein, I. H. (1994). *Psychometric Theory* (3rd ed.). McGraw-Hill. — Putka, D. J., & Hoffman, B. J.
(2013). *Journal of Applied Psychology*, 98, 114–133. — Shrout, P. E., & Fleiss, J. L. (1979). *Psychological
Bulletin*, 86, 420–428. — Viswesvaran, C., Ones, D. S., & Schmidt, F. L. (1996). *Journal of Applied
Psychology*, 81, 557–574. — Uniform Guidelines on Employee
Selection Procedures (1978), 29 CFR Part 1607. — Peraturan Menteri PANRB Nomor 3 Tahun 2020 tentang Manajemen Talenta Aparatur Sipil
Negara; Nomor 38 Tahun 2017 tentang Standar Kompetensi Jabatan Aparatur Sipil Negara.""",
            "en": """## References
Brennan, R. L. (2001). *Generalizability Theory*. Springer. — Campbell, D. T., & Fiske, D. W. (1959). *Psychological
Bulletin*, 56, 81–105. — Cleary, T. A. (1968). *Journal of Educational Measurement*, 5, 115–124. — Gaugler, B. B.,
Rosenthal, D. B., Thornton, G. C., & Bentson, C. (1987). *Journal of Applied Psychology*, 72, 493–511. — Hayes,
A. F., & Krippendorff, K. (2007). *Communication Methods and Measures*, 1, 77–89. — Hermelin, E., Lievens, F., &
Robertson, I. T. (2007). *International Journal of Selection and Assessment*, 15, 405–411. — Hunter, J. E.,
Schmidt, F. L., & Le, H. (2006). *Journal of Applied Psychology*, 91, 594–612. — International Taskforce on
Assessment Center Guidelines (2015). *Journal of Management*, 41, 1244–1273. — Koo, T. K., & Li, M. Y. (2016).
*Journal of Chiropractic Medicine*, 15, 155–163. — Krippendorff, K. (2004). *Content Analysis* (2nd ed.). Sage. —
Lance, C. E. (2008). *Industrial and Organizational Psychology*, 1, 84–97. — Landis, J. R., & Koch, G. G. (1977).
*Biometrics*, 33, 159–174. — Lautenschlager, G. J., & Mendoza, J. L. (1986). *Multivariate Behavioral Research*,
21, 93–115. — Lievens, F., & Conway, J. M. (2001). *Journal of Applied Psychology*, 86, 1202–1222. — Nunnally,
J. C., & Bernstein, I. H. (1994). *Psychometric Theory* (3rd ed.). McGraw-Hill. — Putka, D. J., & Hoffman, B. J.
(2013). *Journal of Applied Psychology*, 98, 114–133. — Shrout, P. E., & Fleiss, J. L. (1979). *Psychological
Bulletin*, 86, 420–428. — Viswesvaran, C., Ones, D. S., & Schmidt, F. L. (1996). *Journal of Applied
Psychology*, 81, 557–574. — Uniform Guidelines on Employee
Selection Procedures (1978), 29 CFR Part 1607. — Regulations of the Minister for Administrative and Bureaucratic Reform (PermenPANRB)
3/2020 on ASN talent management and 38/2017 on ASN competency standards."""}),
]


def cells_for(lang: str) -> list:
    """The cells of the tour in ``lang``: shared sources as they are, two-language ones resolved."""
    out = []
    for cell in CELLS:
        kind = cell[0]
        if kind == "say":
            facts, prose = cell[1], cell[2][lang]
            body = f"{facts}\n{prose}" if facts else prose
            if len(cell) > 3:  # an analysis that needs the criterion: skipped with a paragraph when it was not run
                body = f"if {cell[3]}:\n    say(too_few(n_criterion))\nelse:\n" + textwrap.indent(body, "    ")
            out.append(("say", f"{SAY_HEAD[lang]}\n{body}"))
            continue
        src = cell[1][lang] if isinstance(cell[1], dict) else cell[1]
        out.append((kind, src) + tuple(cell[2:]))
    return out


def main():
    for lang in LANGS:
        print(write_notebook(cells_for(lang), f"tour_{lang}.ipynb", f"tour-{lang}"))


if __name__ == "__main__":
    main()
