"""One translation table for every text of the reports (Bahasa Indonesia and English).

Each key maps to ``{"id": ..., "en": ...}``; :func:`tr` picks the language and
fills ``{placeholders}``.  No report string is written twice per language
elsewhere: notebooks, tables, plot labels and the index all come from here.
"""

from __future__ import annotations

import contextlib
import contextvars
import string

import numpy as np

__all__ = ["LANGUAGES", "TEXT", "COLUMNS", "FACETS", "tr", "label", "column_label", "effect_label", "display_name",
           "format_number", "use_names", "named"]

LANGUAGES = ("id", "en")

TEXT: dict[str, dict[str, str]] = {
    # titles
    "report_title": {"id": "Laporan Validasi Assessment Center", "en": "Assessment Centre Validation Report"},
    "index_title": {"id": "Indeks Laporan Validasi Assessment Center", "en": "Assessment Centre Validation Reports: Index"},
    "agency": {"id": "Instansi", "en": "Agency"},
    "agencies": {"id": "instansi", "en": "agencies"},
    "left_out": {"id": "Tidak diikutkan dalam meta-analisis", "en": "Left out of the meta-analysis"},
    "left_out_too_few": {"id": "terlalu sedikit data kinerja", "en": "too few performance ratings"},
    "left_out_artifacts": {"id": "reliabilitas atau keterbatasan rentang tidak dapat diestimasi",
                           "en": "reliability or range restriction could not be estimated"},
    "generated": {"id": "Dibuat dengan psikometri {version}, seed {seed}, {n_boot:,} replikasi bootstrap.",
                  "en": "Generated with psikometri {version}, seed {seed}, {n_boot:,} bootstrap replications."},
    "sec_summary": {"id": "1. Ringkasan", "en": "1. Summary"},
    "sec_data": {"id": "2. Kualitas data dan kelengkapan desain", "en": "2. Data quality and design completeness"},
    "sec_reliability": {"id": "3. Reliabilitas instrumen", "en": "3. Instrument reliability"},
    "sec_agreement": {"id": "4. Kesepakatan antarasesor", "en": "4. Inter-rater agreement"},
    "sec_gtheory": {"id": "5. Generalisabilitas: sumber variansi penilaian", "en": "5. Generalizability: where the variance comes from"},
    "sec_construct": {"id": "6. Validitas konstruk (MTMM dan analisis faktor konfirmatori)",
                      "en": "6. Construct validity (MTMM and confirmatory factor analysis)"},
    "mtmm_table": {"id": "Rerata korelasi MTMM", "en": "Mean MTMM correlations"},
    "sec_validity": {"id": "7. Validitas prediktif", "en": "7. Predictive validity"},
    "sec_incremental": {"id": "8. Validitas inkremental", "en": "8. Incremental validity"},
    "sec_fairness": {"id": "9. Keadilan", "en": "9. Fairness"},
    "sec_talent": {"id": "10. Manajemen talenta: JPM dan kotak manajemen talenta", "en": "10. Talent management: JPM and the nine-box grid"},
    "sec_reassessment": {"id": "11. Asesmen ulang: stabilitas antarperiode", "en": "11. Re-assessment: stability between occasions"},
    "sec_methods": {"id": "11. Metode dan rujukan", "en": "11. Methods and references"},
    "sec_methods_after_reassessment": {"id": "12. Metode dan rujukan", "en": "12. Methods and references"},
    # verdict words
    "verdict": {"id": "Penilaian", "en": "Verdict"},
    "standard": {"id": "Standar", "en": "Standard"},
    "value": {"id": "Nilai", "en": "Value"},
    "ci": {"id": "Selang kepercayaan 95%", "en": "95% confidence interval"},
    "indicator": {"id": "Indikator", "en": "Indicator"},
    "adequate": {"id": "memadai", "en": "adequate"},
    "inadequate": {"id": "belum memadai", "en": "not adequate"},
    "adequate_uncertain": {"id": "memadai, belum pasti", "en": "adequate, uncertain"},
    "inadequate_uncertain": {"id": "belum memadai, belum pasti", "en": "not adequate, uncertain"},
    "summary_note": {
        "id": "Penilaian: memadai / belum memadai bila seluruh selang kepercayaan 95% berada di atas / di bawah "
              "standar; memadai, belum pasti / belum memadai, belum pasti bila estimasi berada di atas / di bawah "
              "standar tetapi selangnya melewati standar atau tidak ada selang (misalnya uji statistik): data belum "
              "cukup untuk memastikannya.",
        "en": "Verdicts: adequate / not adequate when the whole 95% interval lies above / below the standard; "
              "adequate, uncertain / not adequate, uncertain when the estimate lies above / below the standard but "
              "the interval crosses it or there is none (e.g. a test): the data cannot settle it yet.",
    },
    "not_estimable": {"id": "tidak dapat diestimasi", "en": "not estimable"},
    "too_few": {
        "id": "Jumlah data terlalu sedikit untuk analisis ini ({what}: {n:,}; minimal {need:,}). Bagian ini dilewati; "
              "gabungkan kohort atau gunakan hasil meta-analisis lintas instansi.",
        "en": "Too few data for this analysis ({what}: {n:,}; at least {need:,} needed). This section is skipped; "
              "pool cohorts or rely on the cross-agency meta-analysis.",
    },
    "one_assessor": {
        "id": "Setiap sel asesi x kompetensi x alat ukur dinilai oleh satu asesor saja, sehingga kesepakatan antarasesor "
              "dan variansi asesor tidak dapat dipisahkan dari galat.",
        "en": "Each candidate x competency x exercise cell was rated by one assessor only, so inter-rater agreement "
              "and assessor variance cannot be separated from error.",
    },
    "individual_results": {"id": "Hasil per asesi (hanya instansi ini)", "en": "Results per candidate (this agency only)"},
    "failed_section": {"id": "Analisis ini tidak dapat dihitung untuk data ini. Alasan teknisnya (dalam bahasa "
                             "Inggris, dari pustaka) dicatat di results.json pada bagian ini, kunci 'reason'.",
                       "en": "This analysis could not be computed: {reason}"},
    "note_warnings": {"id": "Catatan: perhitungan di bagian ini memberi {n:,} peringatan ({kinds}). Hasil tetap "
                            "ditampilkan, tetapi perlu dibaca dengan hati-hati; teks peringatan (dalam bahasa Inggris, "
                            "dari pustaka) dicatat di results.json pada bagian ini, kunci 'warnings'.",
                      "en": "Note: the computations of this section raised {n:,} warning(s) ({kinds}): {messages}. The "
                            "results are shown but should be read with care."},
    "warning_convergence": {"id": "konvergensi estimasi", "en": "estimation convergence"},
    "warning_numeric": {"id": "numerik", "en": "numerical"},
    "warning_data": {"id": "pemeriksaan data", "en": "data check"},
    "warning_method": {"id": "metode", "en": "method"},
    "jpm_missing": {"id": "{n:,} asesi tidak memiliki level pada kompetensi yang dipersyaratkan; JPM mereka tidak "
                          "dihitung dan mereka tidak masuk tabel dan grafik di bawah.",
                    "en": "{n:,} candidate(s) lack a level on a required competency; their JPM is not computed and "
                          "they are left out of the tables and figures below."},
    # data section
    "candidates": {"id": "Asesi", "en": "Candidates"},
    "assessors": {"id": "Asesor", "en": "Assessors"},
    "exercises": {"id": "Alat ukur", "en": "Exercises"},
    "competencies": {"id": "Kompetensi", "en": "Competencies"},
    "ratings": {"id": "Penilaian", "en": "Ratings"},
    "completeness": {"id": "Kelengkapan desain", "en": "Design completeness"},
    "assessors_per_cell": {"id": "Asesor per sel", "en": "Assessors per cell"},
    "with_performance": {"id": "Asesi dengan data kinerja", "en": "Candidates with performance data"},
    "data_text": {
        "id": "Data instansi ini memuat {ratings:,} penilaian untuk {candidates:,} asesi oleh {assessors:,} asesor pada "
              "{exercises} alat ukur dan {competencies} kompetensi. Kelengkapan desain {completeness:.0%} "
              "(proporsi sel asesi x kompetensi x alat ukur yang dinilai).",
        "en": "This agency's data hold {ratings:,} ratings of {candidates:,} candidates by {assessors:,} assessors in "
              "{exercises} exercises and {competencies} competencies. Design completeness is {completeness:.0%} "
              "(share of candidate x competency x exercise cells rated).",
    },
    "score_distribution": {"id": "Sebaran nilai per alat ukur", "en": "Score distribution by exercise"},
    "score": {"id": "Nilai", "en": "Score"},
    "count": {"id": "Jumlah", "en": "Count"},
    "position_level": {"id": "Jenjang jabatan", "en": "Position level"},
    "gender": {"id": "Jenis kelamin", "en": "Gender"},
    # reliability
    "reliability_text": {
        "id": "Reliabilitas tes psikologi ({k} butir, {n:,} responden). Standar: alpha/omega >= {cut:.2f}.",
        "en": "Reliability of the psychological test ({k} items, {n:,} respondents). Standard: alpha/omega >= {cut:.2f}.",
    },
    "coefficient": {"id": "Koefisien", "en": "Coefficient"},
    "item": {"id": "Butir", "en": "Item"},
    "no_items": {"id": "Tidak ada data butir tes untuk instansi ini.", "en": "No item data for this agency."},
    # agreement
    "agreement_text": {
        "id": "Kesepakatan antara dua asesor yang menilai asesi yang sama pada kompetensi dan alat ukur yang sama "
              "(ICC satu arah, karena asesor berbeda antar-asesi). Standar: ICC(1) >= {cut:.2f} (Koo & Li 2016: "
              "< 0,50 buruk, 0,50-0,75 sedang, 0,75-0,90 baik, > 0,90 sangat baik). Sel-sel milik asesi yang sama tidak "
              "saling bebas, sehingga selang kepercayaan yang dipakai untuk penilaian adalah bootstrap klaster atas "
              "asesi (kolom 'bootstrap klaster'); selang uji F mengandaikan sel saling bebas dan terlalu sempit.",
        "en": "Agreement between the two assessors who rated the same candidate on the same competency in the same "
              "exercise (one-way ICC, since assessors differ between candidates). Standard: ICC(1) >= {cut:.2f} "
              "(Koo & Li 2016: < .50 poor, .50-.75 moderate, .75-.90 good, > .90 excellent). Cells of the same "
              "candidate are not independent, so the interval behind the verdict is a cluster bootstrap over "
              "candidates (the 'cluster bootstrap' columns); the F-test interval assumes independent cells and is "
              "too narrow.",
    },
    "rating_round_text": {
        "id": "Putaran penilaian yang dianalisis: {round} (putaran dalam data: {rounds}). Penilaian konsensus tidak "
              "pernah dipakai untuk mengukur kesepakatan antar-asesor.",
        "en": "Rating round analysed: {round} (rounds in the data: {rounds}). Consensus ratings are never used to "
              "measure agreement between assessors.",
    },
    "validity_caption": {
        "id": "{title} (reliabilitas prediktor rxxa = {rxxa:.2f} [{source}], reliabilitas kriteria ryyi = {ryyi:.2f})",
        "en": "{title} (predictor reliability rxxa = {rxxa:.2f} [{source}], criterion reliability ryyi = {ryyi:.2f})",
    },
    "kalpha_text": {
        "id": "Alpha Krippendorff (penilaian, tingkat interval): {value:.3f} [{lo:.3f}; {hi:.3f}] (selang bootstrap "
              "95%, Hayes & Krippendorff 2007, yang menganggap sel saling bebas sehingga lebih sempit daripada "
              "selang ICC).",
        "en": "Krippendorff's alpha (ratings, interval level): {value:.3f} [{lo:.3f}, {hi:.3f}] (95% bootstrap "
              "interval, Hayes & Krippendorff 2007, which treats cells as independent and so is narrower than the "
              "ICC's).",
    },
    "consensus_text": {
        "id": "Perubahan dari penilaian mandiri (putaran {independent}) ke penilaian konsensus (putaran {consensus}) "
              "per sel: rerata perubahan dan proporsi sel yang nilai konsensusnya di luar rentang penilaian mandiri "
              "(konsensus semestinya berada di dalam rentang itu).",
        "en": "Change from the independent ratings (round {independent}) to the consensus rating (round "
              "{consensus}) per cell: mean change and share of cells whose consensus lies outside the range of the "
              "independent ratings (a consensus should lie within it).",
    },
    "consensus_title": {"id": "Perubahan karena diskusi konsensus", "en": "Change through the consensus discussion"},
    "agreement_cells": {
        "id": "Dasar perhitungan: {used:,} dari {total:,} sel (asesi x kompetensi x alat ukur) dinilai oleh dua asesor atau "
              "lebih; seluruh {ratings:,} penilaian pada sel-sel tersebut dipakai (paling banyak {k} asesor per sel; "
              "urutan asesor dalam sel mengikuti ID asesor, sehingga hasil tidak bergantung pada urutan baris data).",
        "en": "Basis: {used:,} of the {total:,} cells (candidate x competency x exercise) were rated by two or more "
              "assessors; all {ratings:,} ratings of these cells are used (at most {k} assessors per cell; assessors "
              "are ordered within a cell by their id, so the result does not depend on the order of the data rows).",
    },
    "assessor_diag_text": {
        "id": "Diagnostik asesor: kelonggaran/keketatan (selisih rata-rata terhadap konsensus rekan asesor), "
              "sebaran, efek halo dan kesepakatan. Asesor yang ditandai perlu kalibrasi ulang.",
        "en": "Assessor diagnostics: leniency/severity (mean deviation from co-assessors' consensus), spread, halo "
              "and agreement. Flagged assessors need recalibration training.",
    },
    "flagged_assessors": {"id": "Asesor yang ditandai: {n:,} dari {total:,}.", "en": "Flagged assessors: {n:,} of {total:,}."},
    "leniency": {"id": "Kelonggaran", "en": "Leniency"},
    # g theory
    "gtheory_text": {
        "id": "Dekomposisi variansi nilai AC (studi G, {method}). Variansi asesi x alat ukur yang besar dibanding "
              "asesi x kompetensi adalah temuan umum (Lance 2008; Putka & Hoffman 2013).",
        "en": "Variance decomposition of AC ratings (G study, {method}). A large candidate x exercise share relative "
              "to candidate x competency is the usual finding (Lance 2008; Putka & Hoffman 2013).",
    },
    "component": {"id": "Komponen", "en": "Component"},
    "variance": {"id": "Variansi", "en": "Variance"},
    "percent": {"id": "Persen", "en": "Percent"},
    "dstudy_text": {
        "id": "Studi D: koefisien generalisabilitas (relatif) dan keterandalan (absolut) untuk jumlah asesor dan "
              "alat ukur yang berbeda.",
        "en": "D study: generalizability (relative) and dependability (absolute) coefficients for other numbers of "
              "assessors and exercises.",
    },
    "g_coefficient": {"id": "Koefisien G", "en": "G coefficient"},
    "gstudy_typical": {
        "id": "Untuk desain instansi ini (rata-rata {ex:.1f} alat ukur per asesi, {ass:.1f} asesor per sel, "
              "kompetensi tetap): koefisien G nilai akhir = {g:.3f} [{g_lo:.3f}; {g_hi:.3f}], Phi = {phi:.3f} "
              "[{phi_lo:.3f}; {phi_hi:.3f}] (selang kepercayaan 95%, metode delta dari kovarians komponen).",
        "en": "For this agency's design (on average {ex:.1f} exercises per candidate, {ass:.1f} assessors per cell, "
              "competencies fixed): G coefficient of the overall rating = {g:.3f} [{g_lo:.3f}, {g_hi:.3f}], Phi = "
              "{phi:.3f} [{phi_lo:.3f}, {phi_hi:.3f}] (95% intervals, delta method from the components' covariance).",
    },
    "gstudy_boundary": {
        "id": "Komponen variansi pada batas nol (estimasi REML = 0; galat baku dan selang tidak terdefinisi): {effects}.",
        "en": "Variance components on the boundary (REML estimate 0; no standard error or interval): {effects}.",
    },
    "gstudy_negative": {
        "id": "Estimasi ANOVA negatif dijadikan nol (konvensi Brennan 2001): {effects}.",
        "en": "Negative ANOVA estimates set to zero (Brennan 2001's convention): {effects}.",
    },
    "gstudy_not_converged": {
        "id": "Peringatan: estimasi REML belum konvergen; tafsirkan komponen variansi dengan hati-hati.",
        "en": "Warning: the REML estimation did not converge; read the variance components with care.",
    },
    "jpm_ceiling": {
        "id": "Peringatan: standar kompetensi jenjang {levels} adalah level 1 untuk semua kompetensi, sehingga setiap "
              "asesi mencapai JPM 100 dan kategori Optimal; JPM tidak membedakan asesi pada jenjang ini. Periksa "
              "tabel standar instansi.",
        "en": "Warning: the competency standard of {levels} is level 1 for every competency, so every candidate "
              "reaches JPM 100 and the Optimal category; JPM does not tell these candidates apart. Check the "
              "agency's standards table.",
    },
    "perspectives": {"id": "Reliabilitas nilai akhir, nilai kompetensi dan nilai alat ukur",
                     "en": "Reliability of the overall, competency and exercise scores"},
    "dstudy_title": {"id": "Studi D (kompetensi tetap)", "en": "D study (competencies fixed)"},
    "phi": {"id": "Phi (keterandalan)", "en": "Phi (dependability)"},
    # construct
    "construct_text": {
        "id": "Matriks multitrait-multimethod: korelasi konvergen (kompetensi sama, alat ukur berbeda) seharusnya "
              "lebih tinggi daripada korelasi diskriminan (kompetensi berbeda).",
        "en": "Multitrait-multimethod matrix: convergent correlations (same competency, different exercise) should "
              "exceed discriminant ones (different competencies).",
    },
    "construct_exercise_effect": {
        "id": "Di sini korelasi kompetensi berbeda dalam alat ukur yang sama ({mono:.3f}) lebih tinggi daripada "
              "korelasi kompetensi yang sama antaralat ukur ({conv:.3f}): nilai lebih banyak ditentukan oleh alat "
              "ukur daripada oleh kompetensi, sehingga nilai per kompetensi (dan JPM yang dibangun darinya) kurang "
              "didukung sebagai ukuran kompetensi yang terpisah; pola ini umum pada AC (Lance 2008).",
        "en": "Here different competencies within one exercise correlate more ({mono:.3f}) than the same "
              "competency across exercises ({conv:.3f}): scores follow the exercise more than the competency, so "
              "competency-level scores (and the JPM built from them) have little support as separate measures; the "
              "pattern is common in ACs (Lance 2008).",
    },
    "construct_competency_effect": {
        "id": "Korelasi kompetensi yang sama antaralat ukur ({conv:.3f}) lebih tinggi daripada korelasi kompetensi "
              "berbeda dalam alat ukur yang sama ({mono:.3f}): nilai per kompetensi mendapat dukungan konvergen.",
        "en": "The same competency correlates more across exercises ({conv:.3f}) than different competencies within "
              "one exercise ({mono:.3f}): competency-level scores have convergent support.",
    },
    "construct_cfa_text": {
        "id": "Model faktor konfirmatori AC (Lievens & Conway 2001; Lance dkk. 2004; Bowler & Woehr 2006; Hoffman "
              "dkk. 2011): {k} skor kompetensi x alat ukur (rerata asesor) dari {n} dari {n_all} asesi (hanya asesi "
              "dengan semua skor), ML dengan variansi faktor 1. Solusi yang tidak konvergen atau tidak wajar "
              "(varians negatif, korelasi di atas 1) umum pada data AC (Buckett dkk. 2020) dan merupakan hasil, "
              "bukan kesalahan. Proporsi variansi adalah rerata kuadrat muatan baku per jenis faktor: kompetensi "
              "(khusus kompetensi), faktor umum, dan alat ukur (CDCU: rerata kovarians residu baku dalam alat ukur, "
              "batas bawah proporsi alat ukur). Faktor alat ukur yang berkorelasi juga menyerap kinerja umum.",
        "en": "Confirmatory factor models of the AC (Lievens & Conway 2001; Lance et al. 2004; Bowler & Woehr 2006; "
              "Hoffman et al. 2011): {k} competency x exercise scores (mean over assessors) of {n} of {n_all} "
              "candidates (only those with every score), ML with factor variances of 1. Non-converged or "
              "inadmissible solutions (negative variances, correlations above 1) are common in AC data (Buckett et "
              "al. 2020) and are a result, not an error. Shares of variance are mean squared standardized loadings "
              "per kind of factor: competency (competency-specific), general factor, and exercise (CDCU: mean "
              "standardized residual covariance within exercises, a lower bound of the exercise share). Correlated "
              "exercise factors also absorb general performance.",
    },
    "construct_cfa_table": {"id": "Perbandingan model faktor konfirmatori AC",
                            "en": "Comparison of the AC confirmatory factor models"},
    "construct_cfa_only": {
        "id": "Hanya satu dari {m} model memberi solusi wajar: {model}. Model ini tidak dipilih karena paling cocok, "
              "tetapi karena satu-satunya yang dapat dibaca.",
        "en": "Only one of the {m} models gives an admissible solution: {model}. It is not chosen for fitting best "
              "but as the only one that can be read.",
    },
    "construct_cfa_best": {
        "id": "{k} dari {m} model memberi solusi wajar; di antaranya BIC dan AIC sama-sama memilih {model}.",
        "en": "{k} of the {m} models give admissible solutions; among them BIC and AIC both prefer {model}.",
    },
    "construct_cfa_best_differ": {
        "id": "{k} dari {m} model memberi solusi wajar; di antaranya BIC memilih {bic}, sedangkan AIC memilih {aic} "
              "(BIC lebih menghukum model dengan banyak parameter).",
        "en": "{k} of the {m} models give admissible solutions; among them BIC prefers {bic} and AIC prefers {aic} "
              "(BIC penalises models with many parameters more).",
    },
    "construct_cfa_not_comparable": {
        "id": "Tidak ada model wajar yang memuat faktor kompetensi dan faktor alat ukur sekaligus, sehingga proporsi "
              "variansi kompetensi dan alat ukur tidak dapat dibandingkan dengan model ini; baca matriks MTMM di "
              "atas.",
        "en": "No admissible model holds both competency and exercise factors, so the competency and exercise "
              "shares of variance cannot be compared with these models; read the MTMM matrix above.",
    },
    "construct_cfa_dimensions": {
        "id": "Di antara model wajar yang memuat kedua jenis faktor, {model} (BIC terkecil) memberi proporsi variansi "
              "khusus kompetensi {comp:.2f} dan alat ukur {ex:.2f}: nilai AC ini terutama membawa informasi "
              "kompetensi.",
        "en": "Among the admissible models with both kinds of factors, {model} (smallest BIC) gives a "
              "competency-specific share of {comp:.2f} and an exercise share of {ex:.2f}: these AC ratings mainly "
              "carry competency information.",
    },
    "construct_cfa_exercises": {
        "id": "Di antara model wajar yang memuat kedua jenis faktor, {model} (BIC terkecil) memberi proporsi variansi "
              "khusus kompetensi {comp:.2f} dan alat ukur {ex:.2f}: nilai AC ini terutama mencerminkan kinerja per "
              "alat ukur (efek alat ukur, Lance 2008), sehingga nilai per kompetensi perlu dibaca dengan hati-hati.",
        "en": "Among the admissible models with both kinds of factors, {model} (smallest BIC) gives a "
              "competency-specific share of {comp:.2f} and an exercise share of {ex:.2f}: these AC ratings mainly "
              "reflect performance per exercise (the exercise effect, Lance 2008), so scores per competency need "
              "careful reading.",
    },
    "construct_cfa_general_exercises": {
        "id": "Di antara model wajar yang memuat kedua jenis faktor, {model} (BIC terkecil) menjelaskan nilai dengan "
              "satu faktor kinerja umum (proporsi {general:.2f}) dan faktor alat ukur ({ex:.2f}), tanpa faktor "
              "khusus kompetensi: pola yang umum pada AC (Lance dkk. 2004). Nilai per kompetensi di sini tidak "
              "terbukti mengukur kompetensi yang terpisah.",
        "en": "Among the admissible models with both kinds of factors, {model} (smallest BIC) explains the ratings "
              "by one general performance factor (share {general:.2f}) and exercise factors ({ex:.2f}), with no "
              "competency-specific factor: the usual AC pattern (Lance et al. 2004). Scores per competency are not "
              "shown here to measure separate competencies.",
    },
    "construct_cfa_none": {
        "id": "Tidak satu pun dari {m} model faktor konfirmatori AC memberi solusi wajar; struktur kompetensi x alat "
              "ukur tidak dapat dinilai dengan model ini pada data instansi ini.",
        "en": "None of the {m} AC confirmatory factor models gives an admissible solution; the competency x exercise "
              "structure cannot be assessed with these models on this agency's data.",
    },
    "construct_cfa_too_few": {
        "id": "Model faktor konfirmatori AC tidak diestimasi: terlalu sedikit asesi dengan skor lengkap untuk semua "
              "kombinasi kompetensi x alat ukur (ML memerlukan jauh lebih banyak asesi daripada skor).",
        "en": "The AC confirmatory factor models are not estimated: too few candidates have every competency x "
              "exercise score (ML needs many more candidates than scores).",
    },
    "correlation": {"id": "korelasi", "en": "correlation"},
    "mtmm_title": {"id": "MTMM: kompetensi x alat ukur (blok: alat ukur sama)",
                   "en": "MTMM: competency x exercise (blocks: same exercise)"},
    "convergent": {"id": "Konvergen (kompetensi sama, alat ukur berbeda)", "en": "Convergent (same competency, different exercise)"},
    "hetero_mono": {"id": "Diskriminan (kompetensi berbeda, alat ukur sama)", "en": "Discriminant (different competency, same exercise)"},
    "hetero_hetero": {"id": "Diskriminan (kompetensi berbeda, alat ukur berbeda)", "en": "Discriminant (different competency, different exercise)"},
    # validity
    "validity_text": {
        "id": "Korelasi nilai akhir asesmen (OAR) dengan kinerja kemudian, diamati pada {n:,} asesi terpilih dan "
              "dikoreksi untuk ketidakandalan kriteria dan keterbatasan rentang (Hunter, Schmidt & Le 2006). "
              "Rujukan meta-analisis: validitas AC terkoreksi sekitar 0,28-0,37.",
        "en": "Correlation of the overall assessment rating (OAR) with later performance, observed on {n:,} selected "
              "candidates and corrected for criterion unreliability and range restriction (Hunter, Schmidt & Le "
              "2006). Meta-analytic benchmark: corrected AC validity about .28-.37.",
    },
    "expectancy_text": {
        "id": "Tabel harapan: peluang kinerja tinggi menurut kelompok nilai AC.",
        "en": "Expectancy chart: chance of high performance by AC score band.",
    },
    "effect": {"id": "efek", "en": "effect"},
    "OAR (competency fixed)": {"id": "nilai akhir (kompetensi tetap)", "en": "overall rating (competencies fixed)"},
    "OAR (all facets random)": {"id": "nilai akhir (semua faset acak)", "en": "overall rating (all facets random)"},
    "competency score": {"id": "nilai satu kompetensi (rerata semua alat ukurnya)",
                         "en": "single competency score (mean over its exercises)"},
    "exercise score": {"id": "nilai satu alat ukur (alat ukur tetap: hanya generalisasi antarasesor)",
                       "en": "single exercise score (exercise fixed: generalizing over assessors only)"},
    "observed": {
        "id": "teramati",
        "en": "observed",
    },
    "corrected_criterion": {"id": "dikoreksi reliabilitas kriteria saja", "en": "corrected for criterion reliability only"},
    "corrected_range_restriction": {"id": "dikoreksi keterbatasan rentang saja", "en": "corrected for range restriction only"},
    "operational": {"id": "validitas operasional (kedua koreksi)", "en": "operational validity (both corrections)"},
    # incremental
    "incremental_text": {
        "id": "Apakah AC menambah daya prediksi di atas tes psikologi? Regresi hierarkis kinerja pada skor tes "
              "psikologi, lalu OAR.",
        "en": "Does the AC add to the psychological test? Hierarchical regression of performance on the test score, "
              "then the OAR.",
    },
    # fairness
    "fairness_text": {
        "id": "Dampak merugikan (aturan empat-perlima), perbedaan skor antarkelompok dan prediksi diferensial "
              "(regresi Cleary, bertahap: uji gabungan kemiringan dan intersep lebih dulu; kemiringan dan intersep "
              "sendiri-sendiri dibaca hanya bila uji gabungan signifikan, Lautenschlager & Mendoza 1986). Kelompok "
              "dengan kurang dari {min_group} orang tidak ditampilkan; jumlah terpilih (atau tidak terpilih) di "
              "bawah {min_group} disembunyikan.",
        "en": "Adverse impact (four-fifths rule), subgroup score differences and differential prediction (Cleary "
              "regression, step-down: the joint test of slopes and intercepts first; slopes and intercepts on their "
              "own are read only when the joint test is significant, Lautenschlager & Mendoza 1986). Groups with "
              "fewer than {min_group} members are left out; selected (or not selected) counts under {min_group} "
              "are suppressed.",
    },
    "age_group": {"id": "Kelompok usia", "en": "Age group"},
    "unstable": {"id": "tidak stabil", "en": "unstable"},
    "forest_title": {"id": "Plot hutan: validitas per instansi (terkoreksi artefak)",
                     "en": "Forest plot: validity per agency (artifact-corrected)"},
    "forest_x": {"id": "Korelasi terkoreksi", "en": "Corrected correlation"},
    "forest_overall": {"id": "Keseluruhan", "en": "Overall"},
    "forest_credibility": {"id": "selang kredibilitas 80%", "en": "80% credibility interval"},
    "forest_mean": {"id": "rerata, selang kepercayaan 95%", "en": "mean, 95% CI"},
    "unstable_note": {
        "id": "Selang sumber variansi yang ditandai 'tidak stabil' bertumpu pada kurang dari 2 derajat bebas "
              "(Satterthwaite): datanya terlalu sedikit untuk memberi batas yang berarti.",
        "en": "Component intervals marked 'unstable' rest on fewer than 2 degrees of freedom (Satterthwaite): the "
              "data are too few for meaningful limits.",
    },
    "fairness_reference_fallback": {
        "id": "{group}: kelompok acuan tetap ({fixed}) tidak ada di data instansi ini; sebagai gantinya dipakai "
              "kelompok terbesar, {ref}. Tanda d dan prediksi diferensial dibaca terhadap kelompok ini.",
        "en": "{group}: the fixed reference group ({fixed}) is absent from this agency's data; the largest group, "
              "{ref}, is used instead. Read the sign of d and differential prediction against it.",
    },
    "fairness_reference": {
        "id": "{group}: kelompok acuan perbedaan skor dan prediksi diferensial = {ref} (tetap untuk semua instansi; "
              "d > 0 berarti nilai kelompok lain lebih tinggi daripada kelompok acuan). Rasio dampak dibandingkan "
              "dengan kelompok yang rasio seleksinya tertinggi (aturan empat-perlima).",
        "en": "{group}: reference group of score differences and differential prediction = {ref} (the same for every "
              "agency; d > 0 means the other group scores higher than the reference). Impact ratios compare with "
              "the group with the highest selection rate (four-fifths rule).",
    },
    "adverse_impact": {"id": "dampak merugikan", "en": "adverse impact"},
    "subgroup_d": {"id": "perbedaan skor (d / g) pada nilai akhir", "en": "score difference (d / g) on the OAR"},
    "cleary": {"id": "prediksi diferensial (Cleary)", "en": "differential prediction (Cleary)"},
    "invariance": {"id": "invarians pengukuran tes psikologi", "en": "measurement invariance of the psychological test"},
    "invariance_text": {
        "id": "Apakah tes psikologi ({k} butir) mengukur hal yang sama pada setiap kelompok? Model satu faktor "
              "dicocokkan pada semua kelompok sekaligus dengan batasan yang makin ketat: konfigural, metrik, skalar "
              "dan ketat (analisis faktor konfirmatori, ML; butir skala lima diperlakukan sebagai kontinu). Suatu "
              "tingkat dinilai terpenuhi bila CFI turun paling banyak ΔCFI (Cheung & Rensvold 2002) dan RMSEA naik "
              "paling banyak ΔRMSEA (Chen 2007) dari tingkat sebelumnya; batasnya 0,005 dan 0,010 bila jumlah "
              "seluruhnya paling banyak 300 orang, selain itu 0,01 dan 0,015 (Chen 2007); tingkat berikutnya hanya "
              "dinilai bila tingkat sebelumnya terpenuhi. Hanya kelompok dengan sedikitnya {n_min} orang yang "
              "dianalisis. Fungsi butir diferensial (DIF) diuji dengan Mantel-Haenszel (Holland & Thayer 1988; "
              "butir bertingkat: uji Mantel 1963 dan SMD), skor total sebagai pencocok, kelompok dengan sedikitnya "
              "{n_dif} orang. Kelas ETS mengikuti aturan terbitan (p tanpa koreksi; Zieky 1993; Zwick, Thayer & "
              "Mazzeo 1997): A/AA = DIF dapat diabaikan, B/BB = sedang, C/CC = besar; p terkoreksi Holm (1979) atas "
              "semua butir ditampilkan di sampingnya.",
        "en": "Does the psychological test ({k} items) measure the same thing in every group? A one-factor model is "
              "fitted to all groups at once with ever stricter constraints: configural, metric, scalar and strict "
              "(confirmatory factor analysis, ML; five-point items treated as continuous). A level is taken to hold "
              "when CFI drops by at most the delta-CFI cut-off (Cheung & Rensvold 2002) and RMSEA rises by at most "
              "the delta-RMSEA cut-off (Chen 2007) from the level before; the cut-offs are .005 and .010 when the "
              "total is 300 people or fewer, otherwise .01 and .015 (Chen 2007); a level is assessed only when the "
              "level before it holds. Only groups of at least {n_min} people are analysed. Differential item "
              "functioning (DIF) is tested with Mantel-Haenszel (Holland & Thayer 1988; polytomous items: Mantel's "
              "1963 test and the SMD), the total score as the matching variable, groups of at least {n_dif} people. "
              "The ETS classes follow the published rules (unadjusted p; Zieky 1993; Zwick, Thayer & Mazzeo 1997): "
              "A/AA = negligible DIF, B/BB = moderate, C/CC = large; the Holm (1979) p adjusted over all items is "
              "shown beside them.",
    },
    "invariance_result": {
        "id": "Menurut {group} ({groups}; batas ΔCFI {cfi} dan ΔRMSEA {rmsea}), tingkat invarians tertinggi yang "
              "terpenuhi adalah {level}.{next} Bila tingkat skalar terpenuhi, rerata skor tes dapat dibandingkan "
              "antarkelompok; bila hanya metrik, hanya hubungan (korelasi, kemiringan) yang sebanding; bila hanya "
              "konfigural, skor tes belum dapat dibandingkan antarkelompok.",
        "en": "By {group} ({groups}; cut-offs delta CFI {cfi} and delta RMSEA {rmsea}), the highest level of "
              "invariance that holds is {level}.{next} Where the scalar level holds, the test's mean scores can be "
              "compared across groups; with the metric level only, only relations (correlations, slopes) are "
              "comparable; with the configural level only, test scores cannot yet be compared across groups.",
    },
    "invariance_next_rejected": {
        "id": " Tingkat {next} tidak terpenuhi (perubahan kecocokan melewati batas).",
        "en": " The {next} level does not hold (the change in fit exceeds the cut-offs).",
    },
    "invariance_power": {
        "id": "Dengan kelompok sekecil {n} orang, perbandingan ini kurang presisi: tingkat yang terpenuhi belum "
              "membuktikan kesetaraan, dan tingkat yang tidak terpenuhi dapat dipengaruhi sampel kecil.",
        "en": "With groups as small as {n} people these comparisons are imprecise: a level that holds does not "
              "establish equivalence, and a level that does not hold may reflect the small sample.",
    },
    "invariance_none": {
        "id": "Menurut {group} ({groups}), bahkan model konfigural tidak dapat diestimasi dengan wajar; invarians "
              "pengukuran tidak dapat dinilai.",
        "en": "By {group} ({groups}), not even the configural model could be estimated admissibly; measurement "
              "invariance cannot be assessed.",
    },
    "invariance_too_few": {
        "id": "Invarians pengukuran menurut {group} tidak dianalisis: kurang dari dua kelompok dengan sedikitnya "
              "{need} orang.",
        "en": "Measurement invariance by {group} is not analysed: fewer than two groups of at least {need} people.",
    },
    "dif_table": {"id": "fungsi butir diferensial (DIF)", "en": "differential item functioning (DIF)"},
    "dif_result": {
        "id": "{pair}: {k} butir memenuhi aturan ETS untuk DIF sedang atau besar tanpa koreksi ({items}).",
        "en": "{pair}: {k} item(s) meet the ETS rule for moderate or large DIF before adjustment ({items}).",
    },
    "dif_holm_some": {
        "id": "Setelah koreksi Holm atas semua butir, yang tetap signifikan: {items}. Periksa isi butir tersebut "
              "bersama penyusun tes sebelum menyimpulkan bias.",
        "en": "After the Holm adjustment over all items, still significant: {items}. Review their content with the "
              "test's authors before concluding bias.",
    },
    "dif_holm_none": {
        "id": "Setelah koreksi Holm atas semua butir, tidak ada yang tetap signifikan: temuan ini belum pasti dan "
              "dapat muncul karena peluang; pantau butir tersebut pada kohort berikutnya.",
        "en": "After the Holm adjustment over all items none remains significant: the finding is inconclusive and "
              "may be chance; watch these items in the next cohorts.",
    },
    "dif_none": {
        "id": "{pair}: tidak ada butir dengan DIF sedang atau besar (semua kelas ETS A/AA).",
        "en": "{pair}: no item shows moderate or large DIF (every ETS class A/AA).",
    },
    "jpm_distribution": {"id": "Sebaran JPM per jenjang jabatan", "en": "JPM by position level"},
    "suppressed": {"id": "disembunyikan", "en": "suppressed"},
    # re-assessment
    "reassess_text": {
        "id": "Kohort instansi ini dinilai pada lebih dari satu periode. Bagian ini membandingkan periode {first} dengan "
              "periode {last}: {both} orang dinilai pada kedua periode, {first_only} hanya pada periode {first} dan "
              "{second_only} hanya pada periode {last}. Bagian lain laporan ini memakai data periode {last}.",
        "en": "This agency's cohort was assessed on more than one occasion. This section compares occasion {first} "
              "with occasion {last}: {both} persons were assessed at both, {first_only} at {first} only and "
              "{second_only} at {last} only. The other sections of this report use the data of occasion {last}.",
    },
    "occasions": {"id": "Periode asesmen", "en": "Assessment occasions"},
    "reassess_above_one": {
        "id": "r terkoreksi atenuasi melebihi 1: stabilitas skor murni tidak dapat dibedakan dari 1. Koefisien G dihitung dari seluruh asesi tiap periode (bukan hanya yang dinilai dua kali), dan galat kedua periode dapat berkorelasi (alat ukur dan sebagian asesor sama), sehingga koreksi ini melebihkan; selangnya juga menganggap G diketahui.",
        "en": "The disattenuated r exceeds 1: the stability of the true scores cannot be told apart from 1. The G coefficients come from all candidates of each occasion (not only those assessed twice), and the errors of the two occasions may correlate (same exercises, some of the same assessors), so the correction overshoots; its interval also treats G as known.",
    },
    "reassess_moves_more": {
        "id": "{obs} orang berpindah kategori, jauh lebih banyak daripada {exp:.1f} yang diharapkan dari galat saja: sebagian perpindahan mencerminkan perubahan nyata.",
        "en": "{obs} persons changed category, well above the {exp:.1f} expected from error alone: some of the moves reflect real change.",
    },
    "reassess_moves_like": {
        "id": "{obs} orang berpindah kategori, sebanding dengan {exp:.1f} yang diharapkan dari galat pengukuran saja: perpindahan ini belum dapat dibedakan dari galat.",
        "en": "{obs} persons changed category, in line with the {exp:.1f} expected from measurement error alone: these moves cannot be told apart from error.",
    },
    "reassess_table_hidden": {
        "id": "Tabel perpindahan lengkap (kategori × kategori) dan uji-ujinya (kappa, simetri Bowker, homogenitas marginal Stuart-Maxwell) tidak ditampilkan karena sebagian selnya memuat kurang dari {k} orang: statistik dari tabel kecil dapat membuka sel yang disembunyikan.",
        "en": "The full transition table (category × category) and its tests (kappa, Bowker's symmetry, Stuart-Maxwell marginal homogeneity) are not shown because some cells hold fewer than {k} persons: statistics of a small table can give hidden cells back.",
    },
    "reassess_full_title": {
        "id": "Perpindahan kategori JPM lengkap (jumlah orang)",
        "en": "Full JPM category transitions (persons)",
    },
    "reassess_tests": {
        "id": "Kappa antarperiode = {kappa:.3f} (selang 95% {lo:.3f} s.d. {hi:.3f}); uji simetri Bowker p = {p_sym} (db = {df_sym}; apakah perpindahan naik dan turun seimbang; pasangan sel yang sama-sama kosong tidak dihitung) dan uji homogenitas marginal Stuart-Maxwell p = {p_marg} (db = {df_marg}; apakah sebaran kategori berubah). Dengan {n} orang kedua uji memiliki daya yang rendah.",
        "en": "Kappa between occasions = {kappa:.3f} (95% interval {lo:.3f} to {hi:.3f}); Bowker's symmetry test p = {p_sym} (df = {df_sym}; are moves up and down balanced? pairs of cells that are both empty are left out) and the Stuart-Maxwell test of marginal homogeneity p = {p_marg} (df = {df_marg}; has the distribution of categories changed?). With {n} persons both tests have little power.",
    },
    "expected_error": {
        "id": "diharapkan dari galat saja",
        "en": "expected from error alone",
    },
    "data_expired_persons": {
        "id": "{n} orang hanya memiliki hasil dari periode yang sudah lebih dari tiga tahun: hasil mereka tidak berlaku lagi.",
        "en": "{n} persons have results only from occasions more than three years old: their results are no longer valid.",
    },
    "reassess_drift": {
        "id": "Kelonggaran relatif asesor: {n} asesor menilai pada kedua periode. Kelonggaran diukur terhadap asesor lain pada periode yang sama, sehingga hanya pergeseran seorang asesor relatif terhadap rekan-rekannya yang terlihat; pergeseran seluruh panel (semua lebih longgar atau lebih ketat) tidak dapat dipisahkan dari pertumbuhan nyata asesi tanpa penilaian jangkar (misalnya rekaman simulasi yang dinilai pada kedua periode). Korelasi kelonggaran antarperiode r = {r:.2f} (selang 95% {r_lo:.2f} s.d. {r_hi:.2f}); rerata perubahan {change:.2f} poin (selang 95% {lo:.2f} s.d. {hi:.2f}).",
        "en": "Relative leniency of the assessors: {n} assessors rated at both occasions. Leniency is measured against the other assessors of the same occasion, so only an assessor's shift relative to colleagues shows; a shift of the whole panel (everyone more lenient or stricter) cannot be separated from real growth of the candidates without anchor ratings (e.g. recorded exercises rated at both occasions). Correlation of leniency between occasions r = {r:.2f} (95% interval {r_lo:.2f} to {r_hi:.2f}); mean change {change:.2f} points (95% interval {lo:.2f} to {hi:.2f}).",
    },
    "persons_both": {"id": "orang yang dinilai pada kedua periode", "en": "persons assessed at both occasions"},
    "reassess_stability": {
        "id": "Stabilitas nilai akhir AC dan JPM antarperiode, hanya untuk orang yang dinilai pada kedua periode. ICC(A,1) menilai kesepakatan mutlak (kenaikan rata-rata ikut menurunkannya), ICC(C,1) konsistensi urutan; r terkoreksi atenuasi membagi r dengan akar perkalian koefisien G kedua periode ({g1:.3f} dan {g2:.3f}). d berpasangan = rerata perubahan / simpangan baku perubahan. Stabilitas yang rendah dapat berasal dari galat pengukuran maupun perubahan nyata selama beberapa tahun; jumlah orang dengan perubahan reliabel di bawah membantu membedakannya. Stabilitas ini disajikan sebagai deskripsi, tanpa putusan memadai/tidak.",
        "en": "Stability of the overall AC rating and the JPM between occasions, for the persons assessed at both. ICC(A,1) measures absolute agreement (a mean gain lowers it too), ICC(C,1) consistency of rank order; the disattenuated r divides r by the square root of the product of both occasions' G coefficients ({g1:.3f} and {g2:.3f}). paired d = mean change / SD of the changes. Low stability can come from measurement error as well as from real change over several years; the reliable-change counts below help to tell them apart. Stability is described here, without an adequate/not adequate verdict.",
    },
    "reassess_stability_title": {"id": "Stabilitas antarperiode (selang 95%)", "en": "Stability between occasions (95% intervals)"},
    "reassess_rci": {
        "id": "Perubahan reliabel nilai akhir AC: perubahan dianggap nyata bila melebihi 1,96 × SEdiff (galat baku selisih), dengan SEM = simpangan baku periode pertama × akar(1 − G) = {sem:.3f} dan SEdiff = akar(2) × SEM; perubahan minimal yang dapat dideteksi (MDC 95%) = {mdc:.2f} poin. Jacobson & Truax (1991) menilai perubahan mentah; Chelune dkk. (1993) lebih dahulu mengurangkan rerata perubahan kohort (efek tes ulang dan perubahan bersama). Hanya jumlah orang yang ditampilkan.",
        "en": "Reliable change of the overall AC rating: a change counts as real when it exceeds 1.96 × SEdiff (standard error of the difference), with SEM = SD at the first occasion × sqrt(1 − G) = {sem:.3f} and SEdiff = sqrt(2) × SEM; minimal detectable change (MDC 95%) = {mdc:.2f} points. Jacobson & Truax (1991) judge the raw change; Chelune et al. (1993) first subtract the cohort's mean change (retest effect and shared change). Only counts of persons are shown.",
    },
    "reassess_rci_title": {
        "id": "Jumlah orang dengan perubahan reliabel nilai akhir AC",
        "en": "Persons with a reliable change of the overall AC rating",
    },
    "reassess_transitions": {
        "id": "Perpindahan kategori JPM antarperiode (tetap, naik, turun), dibandingkan dengan perpindahan yang diharapkan dari galat pengukuran saja bila skor murni tidak berubah (model skor murni normal dengan Phi {p1:.3f} dan {p2:.3f}; frekuensi harapan).",
        "en": "JPM category transitions between occasions (stayed, up, down), beside the transitions that measurement error alone would give if the true scores did not change (normal true-score model with Phi {p1:.3f} and {p2:.3f}; expected frequencies).",
    },
    "reassess_transitions_title": {
        "id": "Perpindahan kategori JPM (jumlah orang)",
        "en": "JPM category transitions (persons)",
    },
    "occasion_of": {"id": "periode {occasion}", "en": "occasion {occasion}"},
    "reassess_no_drift": {
        "id": "Pergeseran kelonggaran asesor tidak dapat dinilai: hanya {n} asesor menilai pada kedua periode (minimal 3).",
        "en": "Assessor leniency drift cannot be assessed: only {n} assessors rated at both occasions (at least 3).",
    },
    "ind_jpm_consistency": {"id": "Konsistensi keputusan kategori JPM (kappa)", "en": "JPM category decision consistency (kappa)"},
    "jpm_consistency_text": {
        "id": "Konsistensi keputusan kategori JPM (model skor murni normal; reliabilitas = Phi nilai akhir AC dari studi G, {rel:.3f}, dianggap diketahui dalam selang): peluang bahwa asesmen paralel memberi kategori yang sama = {agree:.3f}, kappa = {kappa:.3f}, akurasi (kategori sama dengan kategori skor murni) = {acc:.3f}. Pita SEM 95% di sekitar skor JPM = ± {band:.1f} poin. JPM naik dalam langkah diskret dan dibatasi 100, sehingga model normal hanya pendekatan, terutama bila banyak asesi berada di kategori tertinggi.",
        "en": "JPM category decision consistency (normal true-score model; reliability = Phi of the overall AC rating from the G study, {rel:.3f}, treated as known in the intervals): probability that a parallel assessment gives the same category = {agree:.3f}, kappa = {kappa:.3f}, accuracy (the category of the true score) = {acc:.3f}. The 95% SEM band around a JPM score = ± {band:.1f} points. JPM moves in discrete steps and is capped at 100, so the normal model is an approximation, above all when many candidates are in the top category.",
    },
    "data_occasions": {
        "id": "Data memuat {k} periode asesmen ({occasions}); laporan ini memakai periode terakhir, {last}.",
        "en": "The data hold {k} assessment occasions ({occasions}); this report uses the latest, {last}.",
    },
    "data_expired_at": {
        "id": "Pada tahun acuan {year}, hasil periode {occasions} sudah lebih dari tiga tahun; hasil AC berlaku tiga "
              "tahun (Peraturan BKN 26/2019, pasal 29(4)), sehingga tidak dapat lagi menjadi dasar keputusan.",
        "en": "By the reference year {year}, the results of occasion(s) {occasions} are more than three years old; "
              "AC results are valid for three years (Peraturan BKN 26/2019, art. 29(4)), so they can no longer "
              "support decisions.",
    },
    "data_expired": {
        "id": "Hasil asesmen periode {occasions} berusia lebih dari tiga tahun terhadap periode {last}; hasil AC "
              "berlaku tiga tahun (Peraturan BKN 26/2019 Pasal 29 ayat 4), sehingga hasil tersebut tidak dapat "
              "dipakai lagi untuk keputusan.",
        "en": "The results of occasion(s) {occasions} are more than three years older than occasion {last}; AC results "
              "are valid for three years (Peraturan BKN 26/2019, art. 29(4)), so they can no longer support decisions.",
    },
    # talent
    "talent_text": {
        "id": "Job Person Match (JPM) = jumlah level kompetensi yang dicapai / jumlah level standar jabatan x 100. "
              "Kategori pemetaan: Optimal >= {hi:g}, Cukup Optimal {lo:g} sampai < {hi:g}, Kurang Optimal < {lo:g}.",
        "en": "Job Person Match (JPM) = sum of achieved competency levels / sum of the post's required levels x 100. "
              "Mapping categories: Optimal >= {hi:g}, Cukup Optimal {lo:g} to < {hi:g}, Kurang Optimal < {lo:g}.",
    },
    "talent_text_selection": {
        "id": "Job Person Match (JPM) = jumlah level kompetensi yang dicapai / jumlah level standar jabatan x 100. "
              "Kategori seleksi: Memenuhi Syarat >= {hi:g}, Masih Memenuhi Syarat {lo:g} sampai < {hi:g}, Kurang "
              "Memenuhi Syarat < {lo:g}.",
        "en": "Job Person Match (JPM) = sum of achieved competency levels / sum of the post's required levels x 100. "
              "Selection categories: Memenuhi Syarat >= {hi:g}, Masih Memenuhi Syarat {lo:g} to < {hi:g}, Kurang "
              "Memenuhi Syarat < {lo:g}.",
    },
    "ninebox_text": {
        "id": "Kotak manajemen talenta (potensi = JPM, kinerja = nilai kinerja; batas potensi {pcuts}, batas kinerja "
              "{fcuts}) dan konsistensi penempatan (peluang kotak yang sama pada pengukuran paralel; kappa mengoreksi "
              "kesepakatan karena peluang). Reliabilitas potensi = Phi studi G = s2(p) / (s2(p) + s2(Delta)) = "
              "{rel:.3f}, karena keputusan dibuat terhadap batas tetap. Selang kappa: bootstrap atas asesi yang juga "
              "memuat ketidakpastian reliabilitas potensi; reliabilitas kinerja dianggap diketahui. P(benar) pada "
              "grafik: rata-rata peluang bahwa kotak asesi sama dengan kotak skor murninya; akurasi: peluang yang "
              "sama untuk seluruh kohort.",
        "en": "Nine-box grid (potential = JPM, performance = performance rating; potential cuts {pcuts}, performance "
              "cuts {fcuts}) and placement consistency (chance of the same box in a parallel measurement; kappa "
              "corrects the agreement for chance). Reliability of potential = the G study's Phi = "
              "s2(p) / (s2(p) + s2(Delta)) = {rel:.3f}, as decisions are made against fixed cut-offs. Kappa "
              "interval: bootstrap over candidates that also carries the uncertainty of the potential reliability; "
              "the performance reliability is taken as known. P(right) in the figure: the mean probability that a "
              "candidate's box is the box of their true scores; accuracy: the same probability for the cohort.",
    },
    "jpm": {"id": "JPM (%)", "en": "JPM (%)"},
    "band_axis": {"id": "Kelompok nilai akhir AC", "en": "Overall AC rating band"},
    "high_axis": {"id": "% kinerja tinggi (> {high:.2f}, median)", "en": "% high performance (> {high:.2f}, median)"},
    "category": {"id": "Kategori", "en": "Category"},
    "potential": {"id": "Potensi", "en": "Potential"},
    "performance": {"id": "Kinerja", "en": "Performance"},
    "box": {"id": "Kotak", "en": "Box"},
    # methods
    "methods_text": {
        "id": "Semua koefisien dihitung dengan pustaka psikometri; selang kepercayaan bootstrap dengan seed tetap "
              "sehingga hasil dapat diulang. Laporan ini tidak memuat nama maupun NIP asesi.",
        "en": "All coefficients are computed with the psikometri library; bootstrap intervals use a fixed seed so "
              "results can be reproduced. This report contains no candidate names or NIP.",
    },
    "references": {"id": "Rujukan", "en": "References"},
    # standards and settings: their values and sources (methods section)
    "settings_table": {"id": "Standar, batas dan pengaturan yang dipakai",
                       "en": "Standards, cut-offs and settings used"},
    "settings_text": {
        "id": "Tabel berikut memuat standar, batas dan pengaturan yang dapat diubah instansi: nilai bawaan "
              "psikometri (dengan rujukannya) atau nilai yang ditetapkan instansi dalam berkas konfigurasi "
              "(psikometri report --config). Urutan prioritas: bawaan < berkas konfigurasi < pengaturan khusus "
              "instansi dalam berkas itu < opsi baris perintah. Ketentuan metode yang tetap tidak termasuk di "
              "dalamnya dan dinyatakan di bagiannya masing-masing: ukuran kelompok minimum analisis (invarians "
              "pengukuran {n_inv}, DIF {n_dif}, model faktor AC: asesi dengan semua skor), batas ΔCFI/ΔRMSEA Chen (2007), "
              "koreksi Holm dan taraf 0,05 pada DIF, serta pemilihan model faktor AC dengan BIC. Ukuran minimum analisis "
              "ini bukan aturan privasi.",
        "en": "The table lists the standards, cut-offs and settings an agency can change: the psikometri default "
              "(with its reference) or the value the agency set in a configuration file (psikometri report "
              "--config). Precedence: default < configuration file < the agency's own entry in that file < "
              "command-line option. Fixed rules of the methods are not in it and are stated in their sections: the "
              "analyses' minimum group sizes (measurement invariance {n_inv}, DIF {n_dif}, AC factor models: candidates with "
              "every score), Chen's (2007) delta-CFI/RMSEA cut-offs, the Holm adjustment and .05 level of DIF, and "
              "the choice of AC factor model by BIC. These analysis minimums are not privacy rules.",
    },
    "setting": {"id": "Pengaturan", "en": "Setting"},
    "source": {"id": "Sumber", "en": "Source"},
    "src_default": {"id": "bawaan psikometri: {ref}", "en": "psikometri default: {ref}"},
    "src_config": {"id": "ditetapkan instansi dalam berkas konfigurasi {file}",
                   "en": "set by the agency in the configuration file {file}"},
    "src_agency": {"id": "ditetapkan untuk instansi ini dalam berkas konfigurasi {file}",
                   "en": "set for this agency in the configuration file {file}"},
    "src_cli": {"id": "opsi {option} saat laporan dibuat", "en": "option {option} of the report run"},
    "src_parameter": {"id": "parameter notebook laporan", "en": "parameter of the report notebook"},
    "basis_date": {"id": "tanggal asesmen terakhir {detail}", "en": "latest assessment date {detail}"},
    "basis_occasion": {"id": "periode asesmen terakhir {detail}", "en": "latest occasion {detail}"},
    "basis_today": {"id": "data tanpa tanggal: tahun berjalan", "en": "no date in the data: current year"},
    "jpm_scheme_mapping": {"id": "pemetaan", "en": "mapping"},
    "jpm_scheme_selection": {"id": "seleksi", "en": "selection"},
    # summary indicators
    "ind_reliability": {"id": "Reliabilitas tes (omega)", "en": "Test reliability (omega)"},
    "ind_icc": {"id": "Kesepakatan asesor ICC(1)", "en": "Assessor agreement ICC(1)"},
    "ind_g": {"id": "Koefisien G nilai akhir", "en": "G coefficient of the overall rating"},
    "ind_validity": {"id": "Validitas operasional", "en": "Operational validity"},
    "ind_impact": {"id": "Rasio dampak terendah", "en": "Lowest impact ratio"},
    "ind_cleary": {"id": "Prediksi diferensial (Cleary): p terkecil", "en": "Differential prediction (Cleary): smallest p"},
    "ind_consistency": {"id": "Konsistensi penempatan kotak (kappa)", "en": "Nine-box placement consistency (kappa)"},
    # index
    "national": {"id": "Gambaran nasional", "en": "National picture"},
    "national_text": {
        "id": "Meta-analisis psikometrik (Hunter-Schmidt) atas koefisien validitas instansi, tiap koefisien dikoreksi "
              "dengan reliabilitas nilai akhir AC (koefisien G), reliabilitas kriteria dan keterbatasan rentang "
              "instansinya sendiri (Case IV).",
        "en": "Psychometric (Hunter-Schmidt) meta-analysis of the agencies' validity coefficients, each corrected "
              "with its own agency's reliability of the overall AC rating (G coefficient), criterion reliability and "
              "range restriction (Case IV).",
    },
    "report_link": {"id": "laporan", "en": "report"},
    "failed": {"id": "gagal", "en": "failed"},
    # the workbooks and the Word document (psikometri.report.export)
    "national_workbook": {"id": "Ringkasan nasional (Excel)", "en": "National summary (Excel)"},
    "row_label": {"id": "Uraian", "en": "Item"},
    "contents": {"id": "Isi", "en": "Contents"},
    "section": {"id": "Bagian", "en": "Section"},
    "sheet": {"id": "Lembar", "en": "Sheet"},
    "status": {"id": "Status", "en": "Status"},
    "done": {"id": "selesai", "en": "done"},
    "indicators": {"id": "Indikator", "en": "Indicators"},
}

#: Column and index labels of report tables: canonical name -> {"id", "en"} (applied by :func:`column_label`).
COLUMNS: dict[str, dict[str, str]] = {
    "value": {"id": "nilai", "en": "value"},
    "ICC(A,1)": {"id": "ICC(A,1) kesepakatan mutlak", "en": "ICC(A,1) absolute agreement"},
    "ICC(C,1)": {"id": "ICC(C,1) konsistensi", "en": "ICC(C,1) consistency"},
    "pearson_r": {"id": "korelasi Pearson r", "en": "Pearson r"},
    "disattenuated_r": {"id": "r terkoreksi atenuasi", "en": "disattenuated r"},
    "d_z": {"id": "d berpasangan (perubahan terstandar)", "en": "paired d (standardised change)"},
    "improved": {"id": "meningkat", "en": "improved"},
    "stayed": {"id": "tetap", "en": "stayed"},
    "up": {"id": "naik", "en": "up"},
    "down": {"id": "turun", "en": "down"},
    "jacobson_truax": {"id": "Jacobson & Truax (perubahan mentah)", "en": "Jacobson & Truax (raw change)"},
    "chelune": {"id": "Chelune (dikurangi rerata perubahan)", "en": "Chelune (mean change removed)"},
    "no_reliable_change": {"id": "tidak berubah secara reliabel", "en": "no reliable change"},
    "declined": {"id": "menurun", "en": "declined"},
    "boot_ci_low": {"id": "batas bawah bootstrap klaster", "en": "cluster bootstrap CI low"},
    "boot_ci_high": {"id": "batas atas bootstrap klaster", "en": "cluster bootstrap CI high"},
    "ci_low": {"id": "batas bawah", "en": "CI low"},
    "ci_high": {"id": "batas atas", "en": "CI high"},
    "ci_method": {"id": "metode selang", "en": "CI method"},
    "n": {"id": "n", "en": "n"},
    "coefficient": {"id": "koefisien", "en": "coefficient"},
    "item": {"id": "butir", "en": "item"},
    "mean": {"id": "rerata", "en": "mean"},
    "sd": {"id": "simpangan baku", "en": "SD"},
    "r_total": {"id": "r butir-total", "en": "item-total r"},
    "r_drop": {"id": "r butir-total terkoreksi", "en": "corrected item-total r"},
    "alpha_if_deleted": {"id": "alpha jika dihapus", "en": "alpha if deleted"},
    "omega_if_deleted": {"id": "omega jika dihapus", "en": "omega if deleted"},
    "icc": {"id": "ICC", "en": "ICC"},
    "pval": {"id": "p", "en": "p"},
    "description": {"id": "keterangan", "en": "description"},
    "n_ratings": {"id": "jumlah penilaian", "en": "ratings"},
    "leniency": {"id": "kelonggaran", "en": "leniency"},
    "spread_ratio": {"id": "rasio sebaran", "en": "spread ratio"},
    "halo": {"id": "halo", "en": "halo"},
    "agreement_r": {"id": "r dengan konsensus", "en": "r with consensus"},
    "flag_summary": {"id": "tanda", "en": "flags"},
    "r": {"id": "r", "en": "r"},
    "band": {"id": "kelompok nilai", "en": "score band"},
    "selection_rate": {"id": "rasio seleksi", "en": "selection rate"},
    "n_selected": {"id": "jumlah terpilih", "en": "selected"},
    "impact_ratio": {"id": "rasio dampak", "en": "impact ratio"},
    "four_fifths_violation": {"id": "di bawah 4/5", "en": "below four-fifths"},
    "small_group": {"id": "kelompok kecil", "en": "small group"},
    "predictors": {"id": "prediktor", "en": "predictors"},
    "step": {"id": "tahap", "en": "step"},
    "agreement": {"id": "kesepakatan", "en": "agreement"},
    "chance_agreement": {"id": "kesepakatan kebetulan", "en": "chance agreement"},
    "kappa": {"id": "kappa", "en": "kappa"},
    "agreement_ci_low": {"id": "kesepakatan batas bawah", "en": "agreement CI low"},
    "agreement_ci_high": {"id": "kesepakatan batas atas", "en": "agreement CI high"},
    "kappa_ci_low": {"id": "kappa batas bawah", "en": "kappa CI low"},
    "kappa_ci_high": {"id": "kappa batas atas", "en": "kappa CI high"},
    "n_boot_used": {"id": "replikasi bootstrap terpakai", "en": "bootstrap replications used"},
    "accuracy": {"id": "akurasi", "en": "accuracy"},
    "variance": {"id": "variansi", "en": "variance"},
    "se": {"id": "galat baku", "en": "SE"},
    "percent": {"id": "persen", "en": "percent"},
    "g_coefficient": {"id": "koefisien G", "en": "G coefficient"},
    "phi": {"id": "phi", "en": "phi"},
    "relative_error": {"id": "galat relatif", "en": "relative error"},
    "absolute_error": {"id": "galat absolut", "en": "absolute error"},
    "observed": {"id": "teramati", "en": "observed"},
    "corrected_criterion": {"id": "dikoreksi reliabilitas kriteria saja", "en": "corrected for criterion reliability only"},
    "corrected_range_restriction": {"id": "dikoreksi keterbatasan rentang saja", "en": "corrected for range restriction only"},
    "operational": {"id": "validitas operasional (kedua koreksi)", "en": "operational validity (both corrections)"},
    "mean_criterion": {"id": "rerata kinerja", "en": "mean performance"},
    "n_high": {"id": "jumlah kinerja tinggi", "en": "high performers"},
    "p_high": {"id": "proporsi kinerja tinggi", "en": "share high"},
    "cronbach_alpha": {"id": "alpha Cronbach", "en": "Cronbach's alpha"},
    "standardized_alpha": {"id": "alpha terstandar", "en": "standardized alpha"},
    "omega_total": {"id": "omega total", "en": "omega total"},
    "omega_hierarchical": {"id": "omega hierarkis", "en": "omega hierarchical"},
    "split_half_mean": {"id": "belah dua (rerata)", "en": "split-half (mean)"},
    "split_half_min": {"id": "belah dua (minimum)", "en": "split-half (minimum)"},
    "split_half_max": {"id": "belah dua (maksimum)", "en": "split-half (maximum)"},
    "lambda1": {"id": "lambda 1 Guttman", "en": "Guttman lambda 1"},
    "lambda2": {"id": "lambda 2 Guttman", "en": "Guttman lambda 2"},
    "lambda3": {"id": "lambda 3 Guttman", "en": "Guttman lambda 3"},
    "lambda4": {"id": "lambda 4 Guttman", "en": "Guttman lambda 4"},
    "lambda5": {"id": "lambda 5 Guttman", "en": "Guttman lambda 5"},
    "lambda6": {"id": "lambda 6 Guttman", "en": "Guttman lambda 6"},
    "sem": {"id": "galat baku pengukuran", "en": "standard error of measurement"},
    "note": {"id": "catatan", "en": "note"},
    "z": {"id": "z", "en": "z"},
    "p_z": {"id": "p (uji z)", "en": "p (z test)"},
    "p_fisher": {"id": "p (uji eksak Fisher)", "en": "p (Fisher's exact test)"},
    "d": {"id": "d Cohen", "en": "Cohen's d"},
    "g": {"id": "g Hedges", "en": "Hedges' g"},
    "d_ci_low": {"id": "d batas bawah", "en": "d CI low"},
    "d_ci_high": {"id": "d batas atas", "en": "d CI high"},
    "g_ci_low": {"id": "g batas bawah", "en": "g CI low"},
    "g_ci_high": {"id": "g batas atas", "en": "g CI high"},
    "n_reference": {"id": "n kelompok acuan", "en": "n reference"},
    "mean_reference": {"id": "rerata kelompok acuan", "en": "mean reference"},
    "sd_reference": {"id": "simpangan baku kelompok acuan", "en": "SD reference"},
    "adj_r2": {"id": "R2 terkoreksi", "en": "adjusted R2"},
    "delta_r2": {"id": "tambahan R2", "en": "R2 change"},
    "r2": {"id": "R2", "en": "R2"},
    "r_xxa": {"id": "reliabilitas prediktor (rxxa)", "en": "predictor reliability (rxxa)"},
    "r_yyi": {"id": "reliabilitas kriteria (ryyi)", "en": "criterion reliability (ryyi)"},
    "jpm_category": {"id": "kategori JPM", "en": "JPM category"},
    "nine_box": {"id": "kotak manajemen talenta", "en": "nine-box grid"},
    "age_group": {"id": "kelompok usia", "en": "age group"},
    "gender": {"id": "jenis kelamin", "en": "gender"},
    "position_level": {"id": "jenjang jabatan", "en": "position level"},
    "p": {"id": "p", "en": "p"},
    "F": {"id": "F", "en": "F"},
    "df1": {"id": "db1", "en": "df1"},
    "df2": {"id": "db2", "en": "df2"},
    "feldt": {"id": "Feldt", "en": "Feldt"},
    "bca": {"id": "bootstrap BCa", "en": "BCa bootstrap"},
    "bootstrap": {"id": "bootstrap persentil", "en": "percentile bootstrap"},
    "omnibus": {"id": "uji gabungan", "en": "omnibus"},
    "slope": {"id": "kemiringan", "en": "slope"},
    "intercept": {"id": "intersep", "en": "intercept"},
    "True": {"id": "ya", "en": "yes"},
    "False": {"id": "tidak", "en": "no"},
    "type": {"id": "jenis", "en": "type"},
    "n_cells": {"id": "jumlah sel", "en": "cells"},
    "halo_co_assessors": {"id": "halo rekan asesor", "en": "co-assessors' halo"},
    "lenient": {"id": "longgar", "en": "lenient"},
    "severe": {"id": "ketat", "en": "severe"},
    "central tendency": {"id": "kecenderungan tengah", "en": "central tendency"},
    "low agreement": {"id": "kesepakatan rendah", "en": "low agreement"},
    "mean_independent": {"id": "rerata penilaian mandiri", "en": "mean independent rating"},
    "mean_consensus": {"id": "rerata konsensus", "en": "mean consensus"},
    "mean_change": {"id": "rerata perubahan", "en": "mean change"},
    "mean_abs_change": {"id": "rerata perubahan mutlak", "en": "mean absolute change"},
    "share_outside_range": {"id": "proporsi di luar rentang", "en": "share outside range"},
    "overall": {"id": "keseluruhan", "en": "overall"},
    "bare_bones": {"id": "tanpa koreksi (bare-bones)", "en": "bare-bones"},
    "corrected": {"id": "terkoreksi artefak", "en": "artifact-corrected"},
    "k": {"id": "jumlah instansi", "en": "agencies"},
    "n_total": {"id": "n total", "en": "total n"},
    "mean_r": {"id": "rerata r", "en": "mean r"},
    "var_obs": {"id": "variansi teramati", "en": "observed variance"},
    "var_e": {"id": "variansi galat sampling", "en": "sampling error variance"},
    "var_rho": {"id": "variansi rho", "en": "variance of rho"},
    "sd_rho": {"id": "simpangan baku rho", "en": "SD of rho"},
    "pct_var_artifacts": {"id": "% variansi karena artefak", "en": "% variance from artifacts"},
    "se_mean": {"id": "galat baku rerata", "en": "SE of the mean"},
    "cr_low": {"id": "kredibilitas bawah", "en": "credibility low"},
    "cr_high": {"id": "kredibilitas atas", "en": "credibility high"},
    "Single rater, one-way random (McGraw & Wong ICC(1))": {
        "id": "satu asesor, acak satu arah (McGraw & Wong ICC(1))",
        "en": "Single rater, one-way random (McGraw & Wong ICC(1))"},
    "Single rater, two-way random, absolute agreement (McGraw & Wong ICC(A,1))": {
        "id": "satu asesor, acak dua arah, kesepakatan mutlak (McGraw & Wong ICC(A,1))",
        "en": "Single rater, two-way random, absolute agreement (McGraw & Wong ICC(A,1))"},
    "Single rater, two-way mixed, consistency (McGraw & Wong ICC(C,1))": {
        "id": "satu asesor, campuran dua arah, konsistensi (McGraw & Wong ICC(C,1))",
        "en": "Single rater, two-way mixed, consistency (McGraw & Wong ICC(C,1))"},
    "Mean of k raters, one-way random (McGraw & Wong ICC(k))": {
        "id": "rerata k asesor, acak satu arah (McGraw & Wong ICC(k))",
        "en": "Mean of k raters, one-way random (McGraw & Wong ICC(k))"},
    "Mean of k raters, two-way random, absolute agreement (McGraw & Wong ICC(A,k))": {
        "id": "rerata k asesor, acak dua arah, kesepakatan mutlak (McGraw & Wong ICC(A,k))",
        "en": "Mean of k raters, two-way random, absolute agreement (McGraw & Wong ICC(A,k))"},
    "Mean of k raters, two-way mixed, consistency (McGraw & Wong ICC(C,k))": {
        "id": "rerata k asesor, campuran dua arah, konsistensi (McGraw & Wong ICC(C,k))",
        "en": "Mean of k raters, two-way mixed, consistency (McGraw & Wong ICC(C,k))"},
    "OAR (competency fixed)": {"id": "nilai akhir (kompetensi tetap)", "en": "overall rating (competencies fixed)"},
    "OAR (all facets random)": {"id": "nilai akhir (semua faset acak)", "en": "overall rating (all facets random)"},
    "competency score": {"id": "nilai satu kompetensi (rerata semua alat ukurnya)",
                         "en": "single competency score (mean over its exercises)"},
    "exercise score": {"id": "nilai satu alat ukur (alat ukur tetap: hanya generalisasi antarasesor)",
                       "en": "single exercise score (exercise fixed: generalizing over assessors only)"},
    "universe_score": {"id": "variansi skor semesta", "en": "universe-score variance"},
    "effect": {"id": "sumber variansi", "en": "effect"},
    "assessor": {"id": "asesor", "en": "assessor"},
    "exercise": {"id": "alat ukur", "en": "exercise"},
    "competency": {"id": "kompetensi", "en": "competency"},
    "candidate": {"id": "asesi", "en": "candidate"},
    "box": {"id": "kotak", "en": "box"},
    "test": {"id": "uji", "en": "test"},
    "slopes": {"id": "kemiringan", "en": "slopes"},
    "intercepts": {"id": "intersep", "en": "intercepts"},
    "base": {"id": "dasar", "en": "base"},
    "full": {"id": "lengkap", "en": "full"},
    "cognitive": {"id": "tes psikologi", "en": "psychological test"},
    "oar": {"id": "nilai akhir AC", "en": "overall AC rating"},
    "potential": {"id": "potensi", "en": "potential"},
    "performance": {"id": "kinerja", "en": "performance"},
    "nine_box": {"id": "kotak manajemen talenta", "en": "nine-box grid"},
    # the competencies of PermenPANRB 38/2017 and the usual exercises, as the report names them
    "integritas": {"id": "Integritas", "en": "Integrity"},
    "kerjasama": {"id": "Kerja sama", "en": "Teamwork"},
    "komunikasi": {"id": "Komunikasi", "en": "Communication"},
    "orientasi_pada_hasil": {"id": "Orientasi pada hasil", "en": "Results orientation"},
    "pelayanan_publik": {"id": "Pelayanan publik", "en": "Public service"},
    "pengembangan_diri_dan_orang_lain": {"id": "Pengembangan diri dan orang lain",
                                         "en": "Developing self and others"},
    "mengelola_perubahan": {"id": "Mengelola perubahan", "en": "Managing change"},
    "pengambilan_keputusan": {"id": "Pengambilan keputusan", "en": "Decision making"},
    "perekat_bangsa": {"id": "Perekat bangsa", "en": "National unity"},
    "in_basket": {"id": "In-basket", "en": "In-basket"},
    "analisis_kasus": {"id": "Analisis kasus", "en": "Case analysis"},
    "bermain_peran": {"id": "Bermain peran", "en": "Role play"},
    "diskusi_kelompok": {"id": "Diskusi kelompok", "en": "Group discussion"},
    "wawancara_kompetensi": {"id": "Wawancara kompetensi", "en": "Competency interview"},
    "presentasi": {"id": "Presentasi", "en": "Presentation"},
    "jpt_pratama": {"id": "JPT Pratama", "en": "JPT Pratama"},
    "jpt_madya": {"id": "JPT Madya", "en": "JPT Madya"},
    "administrator": {"id": "Administrator", "en": "Administrator"},
    "pengawas": {"id": "Pengawas", "en": "Supervisor (pengawas)"},
    "pelaksana": {"id": "Pelaksana", "en": "Staff (pelaksana)"},
    # measurement invariance and differential item functioning (fairness section)
    "invariance_model": {"id": "model invarians", "en": "invariance model"},
    "configural": {"id": "konfigural", "en": "configural"},
    "metric": {"id": "metrik (muatan setara)", "en": "metric (equal loadings)"},
    "scalar": {"id": "skalar (muatan dan intersep setara)", "en": "scalar (equal loadings and intercepts)"},
    "strict": {"id": "ketat (muatan, intersep dan variansi residu setara)",
               "en": "strict (equal loadings, intercepts and residual variances)"},
    "chisq": {"id": "khi-kuadrat", "en": "chi-square"},
    "df": {"id": "db", "en": "df"},
    "cfi": {"id": "CFI", "en": "CFI"},
    "tli": {"id": "TLI", "en": "TLI"},
    "rmsea": {"id": "RMSEA", "en": "RMSEA"},
    "srmr": {"id": "SRMR", "en": "SRMR"},
    "delta_chisq": {"id": "selisih khi-kuadrat", "en": "chi-square difference"},
    "delta_df": {"id": "selisih db", "en": "df difference"},
    "p_delta": {"id": "p uji selisih khi-kuadrat", "en": "p of the chi-square difference test"},
    "delta_cfi": {"id": "ΔCFI (model ini - sebelumnya)", "en": "delta CFI (this model - previous)"},
    "delta_rmsea": {"id": "ΔRMSEA (model ini - sebelumnya)", "en": "delta RMSEA (this model - previous)"},
    "delta_srmr": {"id": "ΔSRMR (model ini - sebelumnya)", "en": "delta SRMR (this model - previous)"},
    "decision": {"id": "keputusan", "en": "decision"},
    "baseline": {"id": "model dasar", "en": "baseline"},
    "holds": {"id": "terpenuhi", "en": "holds"},
    "rejected": {"id": "tidak terpenuhi", "en": "rejected"},
    "not assessed": {"id": "tidak dinilai", "en": "not assessed"},
    "chi2": {"id": "khi-kuadrat", "en": "chi-square"},
    "p_adjusted": {"id": "p terkoreksi Holm", "en": "Holm-adjusted p"},
    "L": {"id": "laki-laki", "en": "men"},
    "< 40": {"id": "< 40 tahun", "en": "under 40"},
    "40-49": {"id": "40-49 tahun", "en": "40-49"},
    ">= 50": {"id": "≥ 50 tahun", "en": "50 and over"},
    "P": {"id": "perempuan", "en": "women"},
    "smd_sd": {"id": "SMD/SD butir (> 0: kelompok fokal lebih tinggi pada skor total sama)", "en": "SMD/item SD (> 0: focal group higher at equal total score)"},
    "delta_mh": {"id": "delta MH (< 0: butir lebih sulit bagi kelompok fokal)", "en": "MH delta (< 0: item harder for the focal group)"},
    "ets": {"id": "kelas ETS", "en": "ETS class"},
    # the confirmatory model set of the construct section
    "cfa_model": {"id": "model", "en": "model"},
    "cfa_CE": {"id": "CE: alat ukur berkorelasi", "en": "CE: correlated exercises"},
    "cfa_CD": {"id": "CD: kompetensi berkorelasi", "en": "CD: correlated dimensions"},
    "cfa_CDCE": {"id": "CDCE: kompetensi dan alat ukur berkorelasi", "en": "CDCE: correlated dimensions and exercises"},
    "cfa_CDCU": {"id": "CDCU: kompetensi berkorelasi, residu berkorelasi dalam alat ukur",
                 "en": "CDCU: correlated dimensions, correlated uniquenesses within exercises"},
    "cfa_1D-CE": {"id": "1D-CE: satu dimensi umum dan alat ukur berkorelasi",
                  "en": "1D-CE: one general dimension and correlated exercises"},
    "cfa_G-BD-CE": {"id": "G-BD-CE: faktor umum, dimensi luas dan alat ukur",
                    "en": "G-BD-CE: general factor, broad dimensions and exercises"},
    "solution": {"id": "solusi", "en": "solution"},
    "admissible_solution": {"id": "wajar", "en": "admissible"},
    "inadmissible_solution": {"id": "tidak wajar (varians negatif atau korelasi di atas 1)",
                              "en": "inadmissible (negative variance or correlation above 1)"},
    "not_converged": {"id": "tidak konvergen", "en": "did not converge"},
    "bic": {"id": "BIC", "en": "BIC"},
    "dimension_share": {"id": "proporsi variansi khusus kompetensi", "en": "share of variance: competency-specific"},
    "general_share": {"id": "proporsi variansi faktor umum", "en": "share of variance: general factor"},
    "aic": {"id": "AIC", "en": "AIC"},
    "exercise_share": {"id": "proporsi variansi alat ukur", "en": "share of variance: exercises"},
}


FACETS = {"candidate": {"id": "asesi", "en": "candidate"}, "competency": {"id": "kompetensi", "en": "competency"},
          "exercise": {"id": "alat ukur", "en": "exercise"}, "assessor": {"id": "asesor", "en": "assessor"}}


def effect_label(effect: str, lang: str = "id") -> str:
    """A variance component's label (e.g. ``candidate:exercise``) in words: ``asesi x alat ukur``."""
    return " x ".join(FACETS.get(part, {}).get(lang, part) for part in str(effect).split(":"))


#: names an agency gave to the ids of its data (competencies, exercises): {id: {"id": name, "en": name}},
#: in force inside :func:`use_names`
_NAMES: contextvars.ContextVar[dict] = contextvars.ContextVar("psikometri_display_names", default={})


@contextlib.contextmanager
def use_names(names: dict | None):
    """Show the data ids in ``names`` ({id: {"id": ..., "en": ...}}) under those names inside the block.

    :func:`column_label` (tables) and the figure texts of the report consult them before the translation table.
    """
    token = _NAMES.set(dict(names or {}))
    try:
        yield
    finally:
        _NAMES.reset(token)


def named(ident, lang: str = "id"):
    """The display name in force for the data id ``ident`` (see :func:`use_names`), else ``None``."""
    entry = _NAMES.get().get(ident) if isinstance(ident, str) else None
    return entry[lang] if entry else None


def column_label(name, lang: str = "id"):
    """Translated table header or cell label for a canonical name.

    Known names come from :data:`COLUMNS`; identifiers from the data (exercise
    and competency ids such as ``wawancara_kompetensi``) are shown as words
    (``Wawancara kompetensi``); anything else is returned unchanged.
    """
    if isinstance(name, (bool,)):
        name = str(name)
    if not isinstance(name, str):
        return name
    own = named(name, lang)
    if own is not None:
        return own
    entry = COLUMNS.get(name)
    if entry:
        return entry[lang]
    return display_name(name)


def display_name(ident) -> str:
    """An identifier from the data as words: ``orientasi_pada_hasil`` -> ``Orientasi pada hasil``."""
    text = str(ident)
    if "_" in text and text.replace("_", "").isalnum() and text == text.lower():
        words = text.replace("_", " ").strip()
        return words[:1].upper() + words[1:]
    return text


def format_number(value, spec: str = "", lang: str = "id") -> str:
    """``format(value, spec)`` with the decimal and thousands separators of ``lang`` (Indonesian: 0,86 and 2.091)."""
    out = format(value, spec)
    if lang == "id":
        out = out.translate({ord(","): ".", ord("."): ","})
    return out


class _NumberFormatter(string.Formatter):
    def __init__(self, lang):
        super().__init__()
        self.lang = lang

    def format_field(self, value, format_spec):
        if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_)):
            return format_number(value, format_spec, self.lang)
        if isinstance(value, tuple) and all(isinstance(v, (int, float)) for v in value):
            return "(" + "; ".join(format_number(v, "g", self.lang) for v in value) + ")"
        return super().format_field(value, format_spec)


def tr(key: str, lang: str = "id", **fmt) -> str:
    """Text for ``key`` in ``lang`` ("id" or "en"), with ``{placeholders}`` filled from ``fmt``."""
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {LANGUAGES}; got lang={lang!r}.")
    try:
        entry = TEXT[key]
    except KeyError:
        raise KeyError(f"no report text {key!r}; add it to psikometri.report.i18n.TEXT") from None
    s = entry[lang]
    return _NumberFormatter(lang).format(s, **fmt) if fmt else s


def label(key: str, lang: str = "id") -> str:
    """Short label (table header / axis label): the text of ``key`` if known, else ``key`` itself."""
    return TEXT[key][lang] if key in TEXT else key
