"""Shared assignment machinery: who gets the next lead, chat or ticket."""
