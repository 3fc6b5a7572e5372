"""Import event datasets (ACLED, UCDP GED, GDELT) and export STIX 2.1, GeoJSON, CSV, Parquet."""
