"""target-eloqua: a Singer target that loads data into Oracle Eloqua through the Bulk API 2.0."""
