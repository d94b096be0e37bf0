package bulk

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/podpis/podpis/verify"
)

// batch runs the mixed folder and returns its records and summary.
func batch(t *testing.T) ([]Record, *Summary) {
	dir, opts := mixedDir(t)
	entries, err := ScanDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var recs []Record
	sum, err := Run(context.Background(), entries, Options{Verify: opts, Jobs: 2}, func(r *Record) error {
		recs = append(recs, *r)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return recs, sum
}

func TestWriteHTML(t *testing.T) {
	recs, sum := batch(t)
	for _, l := range []verify.Lang{verify.Russian, verify.English} {
		var b bytes.Buffer
		if err := WriteHTML(&b, recs, sum, l); err != nil {
			t.Fatal(err)
		}
		page := b.String()
		want := []string{"CONTENT_MISMATCH", "reports/Отчёт ноябрь.txt &#43; orphan/unnamed.sig", `<td class="n">5</td>`, `<td class="n">8</td>`}
		if l == verify.Russian {
			want = append(want, "недействительна", "документ изменён после подписания", "Действительны")
		} else {
			want = append(want, "invalid", "the document was changed after signing", "Valid")
		}
		for _, w := range want {
			if !strings.Contains(page, w) {
				t.Errorf("%s: the page lacks %q", l, w)
			}
		}
		for _, bad := range []string{"<script", "src=", "href=", "url("} {
			if strings.Contains(page, bad) {
				t.Errorf("%s: the page has %q", l, bad)
			}
		}
	}
}

// The batch page in headless Chromium: nothing sticks out of the page,
// the summary table is shown. Screenshot to $PODPIS_HTML_SHOTS when set.
func TestHTMLInChromium(t *testing.T) {
	var exe string
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			exe = p
			break
		}
	}
	if exe == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("Chromium is required in CI (Debian package chromium)")
		}
		t.Skip("skipping: Chromium not installed (Debian package chromium)")
	}
	recs, sum := batch(t)
	var b bytes.Buffer
	if err := WriteHTML(&b, recs, sum, verify.Russian); err != nil {
		t.Fatal(err)
	}
	name := filepath.Join(t.TempDir(), "bulk.html")
	if err := os.WriteFile(name, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	actx, cancel := chromedp.NewExecAllocator(context.Background(), append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.Flag("headless", "new"), chromedp.WindowSize(900, 1200))...)
	defer cancel()
	bctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel := context.WithTimeout(bctx, 2*time.Minute)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate("file://"+name), chromedp.WaitVisible("#summary")); err != nil {
		t.Fatal(err)
	}
	type layout struct {
		DocWidth, ViewWidth float64
		Over                []string
		Rows                int
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[layout](`(() => {
	  const page = document.querySelector('main.page').getBoundingClientRect();
	  const over = [...document.querySelectorAll('main.page *')].filter(el => {
	    const r = el.getBoundingClientRect();
	    return r.width > 0 && (r.right > page.right + 0.5 || r.left < page.left - 0.5);
	  }).map(el => el.tagName + ': ' + el.textContent.slice(0, 40));
	  return {docWidth: document.documentElement.scrollWidth, viewWidth: window.innerWidth, over: over,
	    rows: document.querySelectorAll('table.entries tbody tr').length};
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	if got.DocWidth > got.ViewWidth || len(got.Over) > 0 {
		t.Errorf("overflow: %v px in %v px; %v", got.DocWidth, got.ViewWidth, got.Over)
	}
	if got.Rows != len(recs) {
		t.Errorf("%d rows for %d records", got.Rows, len(recs))
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil || !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Fatalf("screenshot: %v", err)
	}
	if d := os.Getenv("PODPIS_HTML_SHOTS"); d != "" {
		if err := os.WriteFile(filepath.Join(d, "bulk-ru.png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
