package mchd

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/podpis/podpis/pki/ruid"
)

// Rules of FORMAT.md that the XSD does not encode (§2.1, §4, §4.1, §9, §11).
// They run over the document's element tree, so that every identifier in the
// document is checked wherever it occurs.

type ruleSet struct {
	ps []Problem
}

func (r *ruleSet) add(sev Severity, path, code, ru, en string) {
	r.ps = append(r.ps, Problem{Path: path, Code: code, Severity: sev,
		Message: path + ": " + ru, MessageEN: path + ": " + en})
}

var (
	reDigits10  = regexp.MustCompile(`^([0-9][1-9]|[1-9][0-9])[0-9]{8}$`)
	reDigits12  = regexp.MustCompile(`^([0-9][1-9]|[1-9][0-9])[0-9]{10}$`)
	reDigits13  = regexp.MustCompile(`^[0-9]{13}$`)
	reDigits15  = regexp.MustCompile(`^[0-9]{15}$`)
	reSNILSForm = regexp.MustCompile(`^[0-9]{3}-[0-9]{3}-[0-9]{3}[ -][0-9]{2}$`)
	reKPP       = regexp.MustCompile(`^([0-9][1-9]|[1-9][0-9])[0-9]{2}[0-9A-Z]{2}[0-9]{3}$`)
	reTaxFileID = regexp.MustCompile(`^ON_DOVEL_[0-9]{4}_[0-9]{4}_[0-9]{19}_([0-9]{8})_([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$`)
	reFileID    = regexp.MustCompile(`^ON_EMCHD_([0-9]{8})_([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$`)
)

// checkRules applies the rules to the tree of a document rooted at
// Доверенность.
func checkRules(root *xnode) []Problem {
	r := &ruleSet{}
	r.walk(root, "/"+root.name)
	r.identity(root)
	r.profile(root)
	r.retrust(root)
	return r.ps
}

// walk checks identifiers and per-POA date order everywhere in the tree.
func (r *ruleSet) walk(n *xnode, path string) {
	for _, a := range n.attrs {
		if a.Name.Space != "" {
			continue
		}
		r.identifier(a.Name.Local, a.Value, path+"/@"+a.Name.Local)
	}
	switch n.name {
	case "СвДов", "СвПереДовер", "СвПервДовер", "СвПередов":
		r.dateOrder(n, path)
		r.irrevocable(n, path)
	case "СвДоверит", "СвДоверПерв":
		r.kind(n, path, "ТипДоверит", map[string]string{"1": "РосОргДовер", "2": "ИнОргДовер", "3": "ИПДовер", "4": "ФЛДовер"})
	case "СвУпПред", "СвПолучПолн":
		r.kind(n, path, "ТипПред", map[string]string{"1": "СведОрг", "2": "СведИП", "3": "СведФизЛ", "4": "СведФилиал", "5": "СведИО"})
	case "СвПередПолн":
		r.kind(n, path, "ТипПерПолн", map[string]string{"1": "РосОргПерПолн", "2": "ИППерПолн", "3": "ФЛПерПолн", "4": "ФилПерПолн", "5": "ИнПерПолн"})
	case "СвПолн":
		r.powers(n, path)
	case "РосОргДовер":
		r.heads(n, path)
	}
	count := map[string]int{}
	for _, k := range n.kids {
		count[k.name]++
	}
	seen := map[string]int{}
	for _, k := range n.kids {
		seen[k.name]++
		kp := path + "/" + k.name
		if count[k.name] > 1 {
			kp += "[" + strconv.Itoa(seen[k.name]) + "]"
		}
		r.walk(k, kp)
	}
}

// identifier checks the check digits of ИНН, ОГРН, ОГРНИП, СНИЛС and the
// form of КПП (FORMAT.md §11). Values of the wrong shape are left to the XSD.
func (r *ruleSet) identifier(name, v, path string) {
	var err error
	var code string
	switch name {
	case "ИННЮЛ":
		if reDigits10.MatchString(v) {
			err, code = ruid.CheckINNLegal(v), "INN_CHECK_DIGIT"
		}
	case "ИННФЛ":
		if reDigits12.MatchString(v) {
			err, code = ruid.CheckINNPerson(v), "INN_CHECK_DIGIT"
		}
	case "ОГРН":
		if reDigits13.MatchString(v) {
			err, code = ruid.CheckOGRN(v), "OGRN_CHECK_DIGIT"
		}
	case "ОГРНИП":
		if reDigits15.MatchString(v) {
			err, code = ruid.CheckOGRNIP(v), "OGRNIP_CHECK_DIGIT"
		}
	case "СНИЛС":
		if reSNILSForm.MatchString(v) {
			err, code = ruid.CheckSNILS(v), "SNILS_CHECK_DIGIT"
		}
	case "КПП":
		if !reKPP.MatchString(v) {
			r.add(SeverityError, path, "KPP_FORMAT",
				"КПП "+strconvQ(v)+" должен состоять из 4 цифр кода налогового органа (первые две не 00), 2 символов [0-9A-Z] причины постановки на учёт и 3 цифр номера",
				"KPP "+strconvQ(v)+" must be 4 digits of the tax office code (not starting with 00), 2 reason characters [0-9A-Z] and 3 digits")
		}
	}
	if err != nil {
		r.add(SeverityError, path, code, "неверное контрольное число: "+err.Error(),
			"wrong check digit: "+err.Error())
	}
}

func strconvQ(s string) string { return strconv.Quote(s) }

// date reads an xs:date attribute; ok is false when absent or invalid (the
// XSD reports the latter).
func date(n *xnode, name string) (string, bool) {
	v, ok := n.attr(name)
	if !ok {
		return "", false
	}
	if !validXSDDate(v) {
		return "", false
	}
	return v, true
}

// dateOrder: a POA is issued no later than its last day of validity (§4).
func (r *ruleSet) dateOrder(n *xnode, path string) {
	issued, ok1 := date(n, "ДатаВыдДовер")
	until, ok2 := date(n, "СрокДейст")
	if ok1 && ok2 && dateCmp(issued, until) > 0 {
		r.add(SeverityError, path+"/@СрокДейст", "DATE_ORDER",
			"срок действия "+until+" раньше даты выдачи "+issued,
			"the validity end "+until+" is before the issue date "+issued)
	}
}

func child(n *xnode, name string) *xnode {
	if n == nil {
		return nil
	}
	for _, k := range n.kids {
		if k.name == name && k.space == Namespace {
			return k
		}
	}
	return nil
}

// info returns the СвДовТип element of the document and its path.
func info(root *xnode) (*xnode, string) {
	doc := child(root, "Документ")
	if d := child(child(doc, "Довер"), "СвДов"); d != nil {
		return d, "/Доверенность/Документ/Довер/СвДов"
	}
	if d := child(child(doc, "Передов"), "СвПереДовер"); d != nil {
		return d, "/Доверенность/Документ/Передов/СвПереДовер"
	}
	return nil, ""
}

// identity checks ИдФайл ↔ НомДовер ↔ ДатаВыдДовер ↔ СведСист (§2.1).
// FORMAT.md asks for warnings: the XSD does not require any of it.
func (r *ruleSet) identity(root *xnode) {
	in, ipath := info(root)
	if in == nil {
		return
	}
	guid, _ := in.attr("НомДовер")
	issued, _ := in.attr("ДатаВыдДовер")
	if id, ok := root.attr("ИдФайл"); ok {
		m := reFileID.FindStringSubmatch(id)
		switch {
		case m == nil:
			r.add(SeverityWarning, "/Доверенность/@ИдФайл", "FILE_ID_FORMAT",
				"ИдФайл не имеет вида ON_EMCHD_ГГГГММДД_GUID", "ИдФайл is not of the form ON_EMCHD_YYYYMMDD_GUID")
		default:
			if !strings.EqualFold(m[2], guid) {
				r.add(SeverityWarning, "/Доверенность/@ИдФайл", "FILE_ID_MISMATCH",
					"GUID в ИдФайл ("+m[2]+") не совпадает с НомДовер ("+guid+")",
					"the GUID in ИдФайл ("+m[2]+") differs from НомДовер ("+guid+")")
			}
			if want := strings.ReplaceAll(issued, "-", ""); len(want) == 8 && m[1] != want {
				r.add(SeverityWarning, "/Доверенность/@ИдФайл", "FILE_ID_MISMATCH",
					"дата в ИдФайл ("+m[1]+") не совпадает с ДатаВыдДовер ("+issued+")",
					"the date in ИдФайл ("+m[1]+") differs from ДатаВыдДовер ("+issued+")")
			}
		}
	}
	if s := child(in, "СведСист"); s != nil && guid != "" {
		got := strings.TrimSpace(s.text.String())
		if !strings.EqualFold(got, StatusURL(guid)) {
			r.add(SeverityWarning, ipath+"/СведСист", "STATUS_URL_MISMATCH",
				"СведСист не равен "+StatusURL(guid), "СведСист is not "+StatusURL(guid))
		}
	}
}

// checkFileName compares the file name with ИдФайл (§2.1).
func checkFileName(root *xnode, name string) []Problem {
	id, _ := root.attr("ИдФайл")
	if name == id+".xml" {
		return nil
	}
	r := &ruleSet{}
	r.add(SeverityWarning, "/Доверенность/@ИдФайл", "FILE_NAME_MISMATCH",
		"имя файла "+strconvQ(name)+" не равно ИдФайл + .xml", "the file name "+strconvQ(name)+" is not ИдФайл + .xml")
	return r.ps
}

// profile checks ПрЭлФорм against the tax-profile elements (§4.1). The
// meaning of the flags is known from real files only, hence warnings.
func (r *ruleSet) profile(root *xnode) {
	p, ok := root.attr("ПрЭлФорм")
	if !ok || len(p) != 8 {
		return
	}
	in, ipath := info(root)
	_, hasTaxID := root.attr("ИдФайлНО")
	knd, hasKND := child(root, "Документ").attrOK("КНД")
	taxOffice := false
	if in != nil {
		_, taxOffice = in.attr("КодНО")
	}
	if tid, ok := root.attr("ИдФайлНО"); ok && in != nil {
		guid, _ := in.attr("НомДовер")
		issued, _ := in.attr("ДатаВыдДовер")
		m := reTaxFileID.FindStringSubmatch(tid)
		switch {
		case m == nil:
			r.add(SeverityWarning, "/Доверенность/@ИдФайлНО", "PROFILE_TAX",
				"ИдФайлНО не имеет вида ON_DOVEL_КОД_КОД_ИННКПП_ГГГГММДД_GUID",
				"ИдФайлНО is not of the form ON_DOVEL_CODE_CODE_INNKPP_YYYYMMDD_GUID")
		case !strings.EqualFold(m[2], guid) || m[1] != strings.ReplaceAll(issued, "-", ""):
			r.add(SeverityWarning, "/Доверенность/@ИдФайлНО", "PROFILE_TAX",
				"дата или GUID в ИдФайлНО не совпадают с ДатаВыдДовер и НомДовер",
				"the date or GUID in ИдФайлНО differs from ДатаВыдДовер and НомДовер")
		}
	}
	if p[3] == '1' {
		if !hasTaxID {
			r.add(SeverityWarning, "/Доверенность/@ИдФайлНО", "PROFILE_TAX",
				"ПрЭлФорм отмечает налоговый профиль, но ИдФайлНО нет",
				"ПрЭлФорм marks the tax profile but ИдФайлНО is missing")
		}
		if knd != "1110415" {
			r.add(SeverityWarning, "/Доверенность/Документ/@КНД", "PROFILE_TAX",
				"ПрЭлФорм отмечает налоговый профиль, но КНД не 1110415",
				"ПрЭлФорм marks the tax profile but КНД is not 1110415")
		}
		if in != nil && !taxOffice {
			r.add(SeverityWarning, ipath+"/@КодНО", "PROFILE_TAX",
				"ПрЭлФорм отмечает налоговый профиль, но КодНО нет",
				"ПрЭлФорм marks the tax profile but КодНО is missing")
		}
	} else if hasTaxID || hasKND {
		r.add(SeverityWarning, "/Доверенность/@ПрЭлФорм", "PROFILE_TAX",
			"ИдФайлНО или КНД заполнены, но ПрЭлФорм не отмечает налоговый профиль (4-я позиция)",
			"ИдФайлНО or КНД is present but ПрЭлФорм does not mark the tax profile (4th position)")
	}
}

func (n *xnode) attrOK(name string) (string, bool) {
	if n == nil {
		return "", false
	}
	return n.attr(name)
}

// retrust checks a Передов against the parents it names (§9).
func (r *ruleSet) retrust(root *xnode) {
	pd := child(child(root, "Документ"), "Передов")
	if pd == nil {
		return
	}
	base := "/Доверенность/Документ/Передов"
	own := child(pd, "СвПереДовер")
	orig := child(pd, "СвПервДовер")
	direct := child(pd, "СвПередов")
	if v, ok := pd.attr("ПрНалПередов"); ok {
		if (v == "1") != (direct != nil) {
			r.add(SeverityWarning, base+"/@ПрНалПередов", "RETRUST_BASE",
				"ПрНалПередов="+v+" не соответствует наличию СвПередов",
				"ПрНалПередов="+v+" does not match the presence of СвПередов")
		}
	}
	if own == nil {
		return
	}
	issued, okI := date(own, "ДатаВыдДовер")
	until, okU := date(own, "СрокДейст")
	for _, p := range []struct {
		n    *xnode
		path string
	}{{orig, base + "/СвПервДовер"}, {direct, base + "/СвПередов"}} {
		if p.n == nil {
			continue
		}
		if pu, ok := date(p.n, "СрокДейст"); ok && okU && dateCmp(until, pu) > 0 {
			r.add(SeverityError, base+"/СвПереДовер/@СрокДейст", "RETRUST_TERM",
				"срок передоверия "+until+" превышает срок доверенности, на которой оно основано ("+pu+", "+p.path+")",
				"the retrust term "+until+" exceeds the term of the POA it is based on ("+pu+", "+p.path+")")
		}
		if pi, ok := date(p.n, "ДатаВыдДовер"); ok && okI && dateCmp(issued, pi) < 0 {
			r.add(SeverityError, base+"/СвПереДовер/@ДатаВыдДовер", "DATE_ORDER",
				"передоверие выдано "+issued+", раньше доверенности, на которой оно основано ("+pi+", "+p.path+")",
				"the retrust is issued on "+issued+", before the POA it is based on ("+pi+", "+p.path+")")
		}
	}
}

// CheckParent checks a retrust d against parent, the POA it is directly
// based on (FORMAT.md §9): the parent allows retrust (ПрПередов 2 or 3,
// else RETRUST_NOT_ALLOWED), a one-time parent gets a retrust that forbids
// further retrust (RETRUST_ONCE, a warning: [R]), the term does not exceed
// the parent's (RETRUST_TERM), and the parent is the POA d names
// (PARENT_MISMATCH). It returns nil for a document that is not a retrust.
func (d *Document) CheckParent(parent *Document) []Problem {
	if d.Retrust == nil || parent == nil || parent.Info() == nil {
		return nil
	}
	r := &ruleSet{}
	pi, own := parent.Info(), &d.Retrust.Info
	base := "/Доверенность/Документ/Передов"
	switch pi.Retrust {
	case RetrustForbidden:
		r.add(SeverityError, base, "RETRUST_NOT_ALLOWED",
			"доверенность "+pi.GUID+" не допускает передоверия (ПрПередов=1)",
			"the POA "+pi.GUID+" does not allow retrust (ПрПередов=1)")
	case RetrustOnce:
		if own.Retrust != RetrustForbidden {
			r.add(SeverityWarning, base+"/СвПереДовер/@ПрПередов", "RETRUST_ONCE",
				"доверенность "+pi.GUID+" допускает однократное передоверие, передоверие должно иметь ПрПередов=1",
				"the POA "+pi.GUID+" allows one-time retrust; the retrust must have ПрПередов=1")
		}
	}
	if validXSDDate(own.ValidUntil) && validXSDDate(pi.ValidUntil) && dateCmp(own.ValidUntil, pi.ValidUntil) > 0 {
		r.add(SeverityError, base+"/СвПереДовер/@СрокДейст", "RETRUST_TERM",
			"срок передоверия "+own.ValidUntil+" превышает срок доверенности "+pi.GUID+" ("+pi.ValidUntil+")",
			"the retrust term "+own.ValidUntil+" exceeds the term of the POA "+pi.GUID+" ("+pi.ValidUntil+")")
	}
	ref, refPath := d.Retrust.Original.OriginalGUID, base+"/СвПервДовер/@НомДоверПерв"
	if parent.Retrust != nil {
		ref, refPath = "", base+"/СвПередов/@НомДоверN"
		if d.Retrust.Base != nil {
			ref = d.Retrust.Base.ParentGUID
		}
	}
	if !strings.EqualFold(ref, pi.GUID) {
		r.add(SeverityError, refPath, "PARENT_MISMATCH",
			"передоверие ссылается на "+strconvQ(ref)+", а не на доверенность "+pi.GUID,
			"the retrust refers to "+strconvQ(ref)+", not to the POA "+pi.GUID)
	}
	return r.ps
}

// kind checks that the single child of n's only element child (Доверит,
// Пред, ПередПолн, ДоверитПерв) is the one the kind attribute names (§5, §6,
// §9): the XSD lets any of them, or several, through.
func (r *ruleSet) kind(n *xnode, path, attr string, want map[string]string) {
	v, _ := n.attr(attr)
	name, ok := want[v]
	if !ok || len(n.kids) == 0 {
		return // the XSD reports it
	}
	holder := n.kids[len(n.kids)-1]
	for _, k := range n.kids {
		switch k.name {
		case "Доверит", "Пред", "ПередПолн", "ДоверитПерв":
			holder = k
		}
	}
	hpath := path + "/" + holder.name
	var present []string
	for _, k := range holder.kids {
		for _, w := range want {
			if k.name == w {
				present = append(present, k.name)
			}
		}
	}
	if len(present) == 1 && present[0] == name {
		return
	}
	r.add(SeverityError, hpath, "PARTY_KIND",
		"@"+attr+"="+v+" требует ровно один элемент "+name+", найдено: "+listOrNone(present, "нет"),
		"@"+attr+"="+v+" requires exactly one element "+name+", found: "+listOrNone(present, "none"))
}

func listOrNone(l []string, none string) string {
	if len(l) == 0 {
		return none
	}
	return strings.Join(l, ", ")
}

// powers: ТипПолн=1 needs at least one МашПолн, ТипПолн=0 a ТекстПолн (§7).
func (r *ruleSet) powers(n *xnode, path string) {
	v, _ := n.attr("ТипПолн")
	switch {
	case v == PowersMachine && child(n, "МашПолн") == nil:
		r.add(SeverityError, path, "POWERS_KIND", "ТипПолн=1, но нет ни одного МашПолн",
			"ТипПолн=1 but there is no МашПолн")
	case v == PowersText && child(n, "ТекстПолн") == nil:
		r.add(SeverityError, path, "POWERS_KIND", "ТипПолн=0, но нет ТекстПолн",
			"ТипПолн=0 but there is no ТекстПолн")
	}
}

// irrevocable: ВидДовер=2 goes with Безотзыв, ВидДовер=1 without (§4). The
// XSD does not tie them; FORMAT.md states it from the documentation, so a
// mismatch is a warning.
func (r *ruleSet) irrevocable(n *xnode, path string) {
	v, ok := n.attr("ВидДовер")
	if !ok {
		return
	}
	has := child(n, "Безотзыв") != nil
	switch {
	case v == KindIrrevocable && !has:
		r.add(SeverityWarning, path+"/Безотзыв", "IRREVOCABLE", "ВидДовер=2 (безотзывная), но Безотзыв не заполнен",
			"ВидДовер=2 (irrevocable) but Безотзыв is missing")
	case v == KindRevocable && has:
		r.add(SeverityWarning, path+"/Безотзыв", "IRREVOCABLE", "Безотзыв заполнен у отзывной доверенности (ВидДовер=1)",
			"Безотзыв is present on a revocable POA (ВидДовер=1)")
	}
}

// heads: each ЛицоБезДов of a Russian legal entity holds one of СВЮЛ, СвФЛ,
// СвИП, and its kind is flagged by ЕИОУК, ЕИОФЛ, ЕИОИП (§5.1). Warnings: the
// XSD makes all of them optional.
func (r *ruleSet) heads(n *xnode, path string) {
	flags := map[string]string{"СВЮЛ": "ЕИОУК", "СвФЛ": "ЕИОФЛ", "СвИП": "ЕИОИП"}
	count := 0
	for _, k := range n.kids {
		if k.name == "ЛицоБезДов" {
			count++
		}
	}
	i := 0
	for _, k := range n.kids {
		if k.name != "ЛицоБезДов" {
			continue
		}
		i++
		kp := path + "/ЛицоБезДов"
		if count > 1 {
			kp += "[" + strconv.Itoa(i) + "]"
		}
		var present []string
		for _, c := range k.kids {
			if _, ok := flags[c.name]; ok {
				present = append(present, c.name)
			}
		}
		if len(present) != 1 {
			r.add(SeverityWarning, kp, "HEAD_KIND",
				"ЛицоБезДов должно содержать ровно один из СВЮЛ, СвФЛ, СвИП, найдено: "+listOrNone(present, "нет"),
				"ЛицоБезДов must hold exactly one of СВЮЛ, СвФЛ, СвИП, found: "+listOrNone(present, "none"))
			continue
		}
		if f := flags[present[0]]; f != "" {
			if v, _ := n.attr(f); v != "1" {
				r.add(SeverityWarning, path+"/@"+f, "HEAD_KIND",
					"ЛицоБезДов содержит "+present[0]+", но "+f+" не равен 1",
					"ЛицоБезДов holds "+present[0]+" but "+f+" is not 1")
			}
		}
	}
}
