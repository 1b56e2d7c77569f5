"""Lesson 05, cytokine release syndrome: its model, figures and demos."""
