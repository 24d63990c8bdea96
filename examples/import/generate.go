package main

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"os"
	"strconv"
	"time"
)

// generate writes a sample CSV file of n invoices of one to three lines
// each into a new directory under dir, and returns its path. Numbers carry
// the time, so that a file generated later does not collide with an
// earlier one's invoices in the same business.
func generate(dir string, n int) (string, error) {
	d, err := os.MkdirTemp(dir, "asset-import-")
	if err != nil {
		return "", err
	}
	path := d + string(os.PathSeparator) + "invoices.csv"
	f, err := os.Create(path)
	if err != nil {
		return "", err
	}
	bw := bufio.NewWriter(f)
	w := csv.NewWriter(bw)
	_ = w.Write([]string{"number", "customer_external_id", "due_date", "description", "line_description", "quantity", "unit_price", "amount"})
	stamp := time.Now().UTC().Format("20060102T150405")
	due := time.Now().UTC().AddDate(0, 0, 30).Format(time.DateOnly)
	for i := range n {
		number := fmt.Sprintf("IMP-%s-%06d", stamp, i+1)
		customer := fmt.Sprintf("erp-%d", i%37+1)
		_ = w.Write([]string{number, customer, due, "Sample import", "Consulting", strconv.Itoa(i%8 + 1), "150.00", ""})
		if i%3 > 0 {
			_ = w.Write([]string{number, customer, due, "Sample import", "Travel", "", "", fmt.Sprintf("%d.%02d", 20+i%60, i%100)})
		}
		if i%5 == 0 {
			_ = w.Write([]string{number, customer, due, "Sample import", "Licence", "2", "19.99", ""})
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return "", err
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return "", err
	}
	return path, f.Close()
}
