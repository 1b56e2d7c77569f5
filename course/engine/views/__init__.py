"""How questions look: static HTML and text (no kernel needed) and live ipywidgets."""
