"""The console process: the website widget's assets and demo page now; the staff pages build on it."""
