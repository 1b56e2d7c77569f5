"""Lesson 09, outcomes access future: its model, figures and demos."""
