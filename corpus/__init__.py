"""Sample filings with their gold records, and the generator of test corpora."""
