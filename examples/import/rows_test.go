package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/assetkit/asset-go/assettest"
)

// Every row gets exactly one result line that says what became of it,
// whatever the row holds.
func TestImportRowsThatSurprise(t *testing.T) {
	long := strings.Repeat("x", 5000)
	tests := []struct {
		name, file, content string
		want                map[int]want   // by line
		numbers             map[int]string // the result's number cell, by line
		created             int
	}{
		{"a byte order mark before a quoted header", "bom.csv", "\ufeff\"number\",\"amount\"\nB-1,1.00\n",
			map[int]want{2: {"created", ""}}, map[int]string{2: "B-1"}, 1},
		{"cells a spreadsheet would run", "formula.csv", "number,amount\n=1+2,1.00\n@SUM(A1),1.00\n+1,1.00\n-1,1.00\n",
			map[int]want{2: {"created", ""}, 3: {"created", ""}, 4: {"created", ""}, 5: {"created", ""}},
			map[int]string{2: "'=1+2", 3: "'@SUM(A1)", 4: "'+1", 5: "'-1"}, 4},
		{"a bad date keeps its number", "date.csv", "number,due_date,amount\nD-1,31/12/2026,1.00\n",
			map[int]want{2: {"invalid", `due_date "31/12/2026"`}}, map[int]string{2: "D-1"}, 0},
		{"numbers with bad bytes", "utf8.csv", "number,amount\nU-\xfe,1.00\nU-\xff,1.00\nU-1,1.00\n",
			map[int]want{2: {"invalid", "not valid UTF-8"}, 3: {"invalid", "not valid UTF-8"}, 4: {"created", ""}}, nil, 1},
		{"a huge bad cell is quoted in part", "huge.csv", "number,amount\nH-1," + long + "\n",
			map[int]want{2: {"invalid", `amount "xxxxxxxxxx`}}, nil, 0},
		{"a JSON line over the limit", "long.jsonl", `{"number": "J-0", "description": "` + strings.Repeat("y", maxJSONLine) + `"}` + "\n" + `{"number": "J-1"}` + "\n",
			map[int]want{1: {"invalid", "longer than"}, 2: {"created", ""}}, nil, 1},
		{"a JSON line with bad bytes", "bad.jsonl", "{\"number\": \"J-\xff\"}\n{\"number\": \"J-2\"}\n",
			map[int]want{1: {"invalid", "not valid UTF-8"}, 2: {"created", ""}}, nil, 1},
		{"a JSON number twice", "twice.jsonl", `{"number": "J-3"}` + "\n" + `{"number": "J-3"}` + "\n",
			map[int]want{1: {"created", ""}, 2: {"invalid", "numbers are unique per business"}}, nil, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			const biz = "biz_rows"
			srv := assettest.NewServer()
			defer srv.Close()
			file := filepath.Join(t.TempDir(), tt.file)
			require.NoError(t, os.WriteFile(file, []byte(tt.content), 0o600))
			_, _, err := runImport(t, realAPI(srv, biz), "-file", file)
			if tt.created < len(tt.want) {
				require.ErrorIs(t, err, errAttention)
			} else {
				require.NoError(t, err)
			}
			results := readResults(t, file+".result.csv")
			require.Len(t, results, len(tt.want))
			for line, w := range tt.want {
				r := results[line]
				assert.Equal(t, w.result, r.result, "line %d: %+v", line, r)
				assert.Contains(t, r.detail, w.detail, "line %d", line)
				assert.Less(t, len(r.detail), 300, "line %d: the detail is bounded", line)
			}
			for line, n := range tt.numbers {
				assert.Equal(t, n, results[line].number, "line %d", line)
			}
			assert.Len(t, srv.Invoices(biz), tt.created)
			for _, inv := range srv.Invoices(biz) {
				assert.NotContains(t, inv.Number, "\ufffd", "no number reaches the server altered")
			}
		})
	}
}

// Two files of one name but their extension write two result files.
func TestImportResultFilesDoNotCollide(t *testing.T) {
	srv := assettest.NewServer()
	defer srv.Close()
	dir := t.TempDir()
	csvFile, jsonlFile := filepath.Join(dir, "mine.csv"), filepath.Join(dir, "mine.jsonl")
	require.NoError(t, os.WriteFile(csvFile, []byte("number,amount\nC-1,1.00\n"), 0o600))
	require.NoError(t, os.WriteFile(jsonlFile, []byte(`{"number": "J-1"}`+"\n"), 0o600))
	for _, f := range []string{csvFile, jsonlFile} {
		_, _, err := runImport(t, realAPI(srv, "biz_mine"), "-file", f)
		require.NoError(t, err)
	}
	assert.Equal(t, "C-1", readResults(t, csvFile+".result.csv")[2].number)
	assert.Equal(t, "J-1", readResults(t, jsonlFile+".result.csv")[1].number)
}

// On the embedded server, -repeat 2 imports the file twice in one run: the
// second pass creates nothing.
func TestImportRepeatedOnTheEmbeddedServer(t *testing.T) {
	dir := t.TempDir()
	stdout, _, err := runImport(t, map[string]string{"TMPDIR": dir}, "-generate", "120", "-repeat", "2")
	require.NoError(t, err)
	assert.Contains(t, stdout, "Pass 1 of 2\n")
	assert.Contains(t, stdout, "Pass 2 of 2\n")
	passes := strings.Split(stdout, "Pass 2 of 2\n")
	require.Len(t, passes, 2)
	assert.Contains(t, passes[0], " created, 0 exist,")
	assert.Contains(t, passes[1], ": 0 created, ")
	assert.NotContains(t, passes[1], " 0 exist,")
}
