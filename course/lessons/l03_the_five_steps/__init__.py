"""Lesson 03, the five steps: its model, figures and demos."""
