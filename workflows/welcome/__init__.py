"""The welcome journey of a newly created staff member."""
