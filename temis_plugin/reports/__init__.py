"""Reports and TEMIS exports."""
