"""Lesson 01, what car t treats: its model, figures and demos."""
