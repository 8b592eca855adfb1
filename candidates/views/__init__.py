"""The candidates pages, by concern: elections (and pairs, teams, supporters), uploads, rolls."""
