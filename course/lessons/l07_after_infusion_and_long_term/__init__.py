"""Lesson 07, after infusion and long term: its model, figures and demos."""
