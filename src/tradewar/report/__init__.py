"""Outputs of solved scenarios: the HTML report (`html`), summary tables (`tables`) and the one
NaN-safe JSON encoder (`jsonenc`)."""
