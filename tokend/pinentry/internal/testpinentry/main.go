// Command testpinentry is a scripted pinentry for tests: a real Assuan peer
// (the protocol of package pinentry's doc) that answers GETPIN and CONFIRM as
// its environment says, so tests can drive tokend without a person.
//
//	TESTPINENTRY_PIN   the PIN GETPIN answers (sent percent-escaped)
//	TESTPINENTRY_MODE  "" answer; "cancel" ERR Operation cancelled;
//	                   "notconfirmed" ERR Not confirmed (CONFIRM only);
//	                   "timeout" ERR Timeout; "hang" never answer GETPIN or
//	                   CONFIRM; "garbage" answer GETPIN with a broken line
//	TESTPINENTRY_DELAY a duration (time.ParseDuration) to wait before
//	                   answering GETPIN or CONFIRM
//	TESTPINENTRY_LOG   a file each received command line is appended to,
//	                   one per line (tests check SETDESC there)
//
// It is a test program: the PIN in its environment is a test PIN.
package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"time"
)

func main() {
	pin := os.Getenv("TESTPINENTRY_PIN")
	mode := os.Getenv("TESTPINENTRY_MODE")
	var log *os.File
	if p := os.Getenv("TESTPINENTRY_LOG"); p != "" {
		f, err := os.OpenFile(p, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
		if err != nil {
			fmt.Fprintln(os.Stderr, "testpinentry:", err)
			os.Exit(2)
		}
		log = f
		defer f.Close()
	}
	out := bufio.NewWriter(os.Stdout)
	say := func(s string) { out.WriteString(s + "\n"); out.Flush() }
	say("OK Pleased to meet you, process " + fmt.Sprint(os.Getpid()))
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		line := in.Text()
		if log != nil {
			fmt.Fprintln(log, line)
		}
		cmd, _, _ := strings.Cut(line, " ")
		switch strings.ToUpper(cmd) {
		case "SETTITLE", "SETDESC", "SETPROMPT", "SETERROR", "SETOK", "SETCANCEL", "SETNOTOK",
			"SETTIMEOUT", "OPTION", "SETKEYINFO", "SETREPEAT", "SETQUALITYBAR", "RESET", "NOP":
			say("OK")
		case "GETINFO":
			say("D testpinentry")
			say("OK")
		case "GETPIN", "CONFIRM":
			if d, err := time.ParseDuration(os.Getenv("TESTPINENTRY_DELAY")); err == nil {
				time.Sleep(d)
			}
			switch mode {
			case "cancel":
				say("ERR 83886179 Operation cancelled <Pinentry>")
			case "notconfirmed":
				if cmd == "CONFIRM" {
					say("ERR 83886194 Not confirmed <Pinentry>")
				} else {
					say("ERR 83886179 Operation cancelled <Pinentry>")
				}
			case "timeout":
				say("ERR 83886142 Timeout <Pinentry>")
			case "hang":
				time.Sleep(time.Hour)
			case "garbage":
				say("D %G1")
				say("OK")
			default:
				if cmd == "GETPIN" {
					say("S PASSWORD_FROM_CACHE_NOT_USED")
					say("D " + escape(pin))
				}
				say("OK")
			}
		case "BYE":
			say("OK closing connection")
			return
		default:
			say("ERR 536871187 Unknown IPC command <User defined source 1>")
		}
	}
}

func escape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '%' || c < 0x20 || c == '+' {
			fmt.Fprintf(&b, "%%%02X", c)
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}
