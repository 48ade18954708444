"""The console process: the intake staff's pages (bot/console/app.py lists them), and the website widget's
assets and demo page."""
