"""Lesson 08, patient case: its model, figures and demos."""
