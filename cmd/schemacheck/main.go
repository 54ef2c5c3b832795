// Command schemacheck fails when graph/schema.graphql breaks clients of the
// last release without CHANGELOG.md saying so (internal/schemacheck says
// what breaks and how an entry names a change). `make schema-check` and
// .ci/run run it from the repository's root.
//
// The baseline is, in order: -base if given; the last tag reachable from
// HEAD (a release); else the merge base of HEAD with origin/main (or main).
// A shallow clone is deepened first (git fetch --unshallow --tags), since
// neither tags nor the merge base may be in it. When the baseline predates
// graph/schema.graphql, the first commit that has it stands in; when no
// commit has it, the check is skipped with one line saying so.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strings"

	"github.com/village-directory/village/internal/schemacheck"
)

const schemaPath = "graph/schema.graphql"

func main() {
	base := flag.String("base", "", "git revision to compare with (default: last tag, else merge base with origin/main or main)")
	changelogPath := flag.String("changelog", "CHANGELOG.md", "the changelog whose Unreleased section announces breaking changes")
	flag.Parse()
	if err := run(*base, *changelogPath); err != nil {
		fmt.Fprintln(os.Stderr, "schemacheck:", err)
		os.Exit(1)
	}
}

func run(base, changelogPath string) error {
	if _, err := git("rev-parse", "--git-dir"); err != nil {
		fmt.Println("schemacheck: SKIPPED: not a git checkout, so there is no earlier schema to compare with")
		return nil
	}
	rev, why, err := baseline(base)
	if err != nil {
		return err
	}
	oldSDL, err := git("show", rev+":"+schemaPath)
	if err != nil {
		first, _ := git("log", "--diff-filter=A", "--reverse", "--format=%H", "--", schemaPath)
		first = strings.TrimSpace(strings.SplitN(first, "\n", 2)[0])
		if first == "" {
			fmt.Printf("schemacheck: SKIPPED: %s (%s) has no %s and no commit has one yet\n", why, short(rev), schemaPath)
			return nil
		}
		fmt.Printf("schemacheck: %s (%s) has no %s; comparing with the first commit that has it\n", why, short(rev), schemaPath)
		rev, why = first, "the first commit with "+schemaPath
		if oldSDL, err = git("show", rev+":"+schemaPath); err != nil {
			return err
		}
	}
	newSDL, err := os.ReadFile(schemaPath)
	if err != nil {
		return err
	}
	old, err := schemacheck.Load(rev+":"+schemaPath, oldSDL)
	if err != nil {
		return err
	}
	cur, err := schemacheck.Load(schemaPath, string(newSDL))
	if err != nil {
		return err
	}
	changes := schemacheck.Breaking(old, cur)
	fmt.Printf("schemacheck: %s against %s (%s): %d breaking change(s)\n", schemaPath, why, short(rev), len(changes))
	if len(changes) == 0 {
		return nil
	}
	text, err := os.ReadFile(changelogPath)
	if err != nil {
		return fmt.Errorf("%d breaking change(s) and no changelog to announce them: %w", len(changes), err)
	}
	announced, ok := schemacheck.Announced(string(text))
	if !ok {
		return fmt.Errorf("%s has no \"## [Unreleased]\" section to announce %d breaking change(s) in", changelogPath, len(changes))
	}
	missing := schemacheck.Unannounced(changes, announced)
	for _, c := range changes {
		mark := "announced"
		if contains(missing, c) {
			mark = "NOT ANNOUNCED"
		}
		fmt.Printf("  %-13s %s\n", mark, c)
	}
	if len(missing) > 0 {
		return fmt.Errorf("%d breaking change(s) not in the Unreleased section of %s: add an entry naming each coordinate in backticks (e.g. `%s`), or keep the old schema (deprecate with @deprecated(reason:) instead of removing)",
			len(missing), changelogPath, missing[0].Coordinate)
	}
	return nil
}

func contains(list []schemacheck.Change, c schemacheck.Change) bool {
	for _, x := range list {
		if x == c {
			return true
		}
	}
	return false
}

// baseline picks the revision to compare with and says what it is.
func baseline(base string) (rev, why string, err error) {
	if base != "" {
		return base, "-base " + base, nil
	}
	if out, _ := git("rev-parse", "--is-shallow-repository"); strings.TrimSpace(out) == "true" {
		fmt.Println("schemacheck: shallow clone: fetching history and tags from origin to find the baseline")
		if _, err := git("fetch", "--quiet", "--unshallow", "--tags", "origin"); err != nil {
			fmt.Println("schemacheck: warning: could not deepen the clone:", err)
		}
	}
	if tag, err := git("describe", "--tags", "--abbrev=0", "HEAD"); err == nil {
		tag = strings.TrimSpace(tag)
		return tag, "the last release tag " + tag, nil
	}
	if _, err := git("rev-parse", "--verify", "--quiet", "refs/remotes/origin/main"); err != nil {
		if _, err := git("remote", "get-url", "origin"); err == nil {
			_, _ = git("fetch", "--quiet", "origin", "main:refs/remotes/origin/main")
		}
	}
	for _, ref := range []string{"origin/main", "main"} {
		if mb, err := git("merge-base", "HEAD", ref); err == nil {
			return strings.TrimSpace(mb), "the merge base with " + ref, nil
		}
	}
	first, _ := git("log", "--diff-filter=A", "--reverse", "--format=%H", "--", schemaPath)
	if first = strings.TrimSpace(strings.SplitN(first, "\n", 2)[0]); first != "" {
		return first, "the first commit with " + schemaPath + " (no tag, no main)", nil
	}
	return "HEAD", "HEAD (no tag, no main)", nil
}

func short(rev string) string {
	if len(rev) == 40 {
		return rev[:12]
	}
	return rev
}

func git(args ...string) (string, error) {
	var out, errOut bytes.Buffer
	cmd := exec.Command("git", args...)
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(errOut.String()))
	}
	return out.String(), nil
}
