"""`make bench`: every measure of the product, with its goal, in one table."""
