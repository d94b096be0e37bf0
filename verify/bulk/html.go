package bulk

import (
	"html/template"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/podpis/podpis/verify"
)

// bulkText are the labels of the batch page, Russian first.
var bulkText = map[string][2]string{
	"title":         {"Протокол пакетной проверки электронных подписей", "Batch signature verification report"},
	"generated":     {"Сформирован", "Generated"},
	"summary":       {"Итоги", "Summary"},
	"entries":       {"Проверенные файлы", "Entries"},
	"n":             {"№", "#"},
	"files":         {"Файлы", "Files"},
	"outcome":       {"Результат", "Outcome"},
	"reason":        {"Причина", "Reason"},
	"signers":       {"Подписанты", "Signers"},
	"count":         {"Количество", "Count"},
	Valid:           {"действительна", "valid"},
	Invalid:         {"недействительна", "invalid"},
	Indeterminate:   {"не установлено", "indeterminate"},
	Error:           {"не проверено", "not checked"},
	"s_valid":       {"Действительны", "Valid"},
	"s_invalid":     {"Недействительны", "Invalid"},
	"s_indet":       {"Действительность не установлена", "Indeterminate"},
	"s_errors":      {"Не проверены (ошибка)", "Not checked (error)"},
	"s_total":       {"Всего", "Total"},
	"interrupted":   {"Проверка прервана: проверены не все файлы.", "The run was interrupted: not every entry was checked."},
	ProblemUnsigned: {"ни одна подпись не называет этот файл и не подписывает его содержимое", ProblemUnsigned},
	"footer":        {"Проверка выполнена программой podpis по ETSI EN 319 102-1; подробный протокол по каждому файлу — podpis verify ФАЙЛЫ --html.", "Checked by podpis following ETSI EN 319 102-1; a detailed report of one entry: podpis verify FILES --html."},
}

type bulkRow struct {
	N                     int
	Files, Outcome, Class string
	Code, Reason, Detail  string
	Signers               string
}

type bulkSumRow struct {
	Label string
	N     int
	Class string
	Sub   bool
}

type bulkPage struct {
	Lang, Title, Generated string
	L                      func(string) string
	Summary                []bulkSumRow
	Rows                   []bulkRow
	Interrupted            bool
}

// WriteHTML writes a batch as one self-contained HTML page (inline CSS, no
// script): the summary table, then one row per record, in the order of their
// IDs, with its outcome, the reason code in words and the signers; in lang
// (Russian when empty).
func WriteHTML(w io.Writer, recs []Record, sum *Summary, lang verify.Lang) error {
	l := 0
	if lang == verify.English {
		l = 1
	}
	L := func(k string) string { return bulkText[k][l] }
	pg := bulkPage{Lang: []string{"ru", "en"}[l], Title: L("title"), L: L,
		Generated: time.Now().UTC().Format([]string{"02.01.2006 15:04:05 UTC", "2006-01-02 15:04:05 UTC"}[l]), Interrupted: sum.Interrupted}
	pg.Summary = append(pg.Summary, bulkSumRow{L("s_valid"), sum.Valid, "ok", false})
	for _, g := range []struct {
		label, class string
		m            map[verify.Code]int
	}{{L("s_invalid"), "bad", sum.Invalid}, {L("s_indet"), "unknown", sum.Indeterminate}} {
		n := 0
		for _, c := range g.m {
			n += c
		}
		pg.Summary = append(pg.Summary, bulkSumRow{g.label, n, g.class, false})
		for _, c := range codes(g.m) {
			pg.Summary = append(pg.Summary, bulkSumRow{string(c) + " — " + c.Text(lang), g.m[c], g.class, true})
		}
	}
	pg.Summary = append(pg.Summary, bulkSumRow{L("s_errors"), sum.Errors, "unknown", false}, bulkSumRow{L("s_total"), sum.Total(), "", false})
	// In the order of the entries' names, whatever order they finished in.
	sorted := make([]*Record, len(recs))
	for i := range recs {
		sorted[i] = &recs[i]
	}
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].ID < sorted[j].ID })
	for i, r := range sorted {
		row := bulkRow{N: i + 1, Files: r.ID, Outcome: L(r.Outcome), Class: outcomeClass(r.Outcome), Signers: strings.Join(r.Signers, ", ")}
		switch {
		case r.Error != "":
			row.Detail = r.Error
			if t, ok := bulkText[r.Error]; ok {
				row.Detail = t[l] // a problem of ours, in the page's language
			}
		case r.Code != verify.CodeOK:
			row.Code, row.Reason, row.Detail = string(r.Code), r.Code.Text(lang), r.Detail
		}
		pg.Rows = append(pg.Rows, row)
	}
	return bulkTemplate.Execute(w, pg)
}

func outcomeClass(o string) string {
	switch o {
	case Valid:
		return "ok"
	case Invalid:
		return "bad"
	}
	return "unknown"
}

var bulkTemplate = template.Must(template.New("bulk").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}">
<head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
:root { --ink:#1b1f24; --muted:#5b6470; --rule:#c9ced6; --tint:#f4f6f9; --ok:#1d6b34; --ok-bg:#e8f4ec; --bad:#a3201b; --bad-bg:#fbeaea; --unk:#8a5a00; --unk-bg:#fdf4e0; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; background: #e9ecf0; color: var(--ink); font: 10pt/1.4 "DejaVu Sans", "PT Sans", Arial, sans-serif; }
.page { width: 210mm; max-width: 100%; margin: 0 auto; padding: 14mm 15mm; background: #fff; }
h1 { font-size: 15pt; margin: 0 0 2mm; } h2 { font-size: 12pt; margin: 6mm 0 2mm; border-bottom: 1px solid var(--rule); }
.meta { color: var(--muted); border-bottom: 2px solid var(--ink); padding-bottom: 3mm; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; }
th, td { border: 1px solid var(--rule); padding: 1mm 2mm; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
thead th { background: var(--tint); }
.sum td.n { text-align: right; width: 25mm; font-variant-numeric: tabular-nums; }
.sum tr.sub td:first-child { padding-left: 8mm; color: var(--muted); }
.sum tr.total td { font-weight: bold; }
.ok { color: var(--ok); } .bad { color: var(--bad); } .unknown { color: var(--unk); }
td.chip.ok { background: var(--ok-bg); } td.chip.bad { background: var(--bad-bg); } td.chip.unknown { background: var(--unk-bg); }
.code { font-family: "DejaVu Sans Mono", monospace; font-size: 8.5pt; }
.detail { color: var(--muted); font-size: 8.5pt; }
.warn { color: var(--bad); font-weight: bold; }
.entries col.n { width: 11mm; } .entries col.o { width: 37mm; } .entries col.s { width: 42mm; }
td.chip { white-space: nowrap; }
.foot { margin-top: 6mm; color: var(--muted); font-size: 8.5pt; border-top: 1px solid var(--rule); padding-top: 2mm; }
tr { break-inside: avoid; page-break-inside: avoid; }
@page { size: A4; margin: 12mm; }
@media print { body { background: #fff; } .page { width: auto; padding: 0; } }
</style></head>
<body><main class="page">
<h1>{{.Title}}</h1>
<div class="meta">{{call .L "generated"}}: {{.Generated}}</div>
{{if .Interrupted}}<p class="warn">{{call .L "interrupted"}}</p>{{end}}
<h2>{{call .L "summary"}}</h2>
<table class="sum" id="summary"><tbody>
{{range .Summary}}<tr class="{{if .Sub}}sub{{else if not .Class}}total{{end}}"><td class="{{.Class}}">{{.Label}}</td><td class="n">{{.N}}</td></tr>
{{end}}</tbody></table>
<h2>{{call .L "entries"}}</h2>
<table class="entries"><colgroup><col class="n"><col><col class="o"><col><col class="s"></colgroup>
<thead><tr><th>{{call .L "n"}}</th><th>{{call .L "files"}}</th><th>{{call .L "outcome"}}</th><th>{{call .L "reason"}}</th><th>{{call .L "signers"}}</th></tr></thead>
<tbody>
{{range .Rows}}<tr><td>{{.N}}</td><td>{{.Files}}</td><td class="chip {{.Class}}">{{.Outcome}}</td><td>{{if .Code}}<span class="code">{{.Code}}</span> {{.Reason}}{{end}}{{if .Detail}}<div class="detail">{{.Detail}}</div>{{end}}</td><td>{{.Signers}}</td></tr>
{{end}}</tbody></table>
<div class="foot">{{call .L "footer"}}</div>
</main></body></html>
`))
