"""Framework vocabulary as data: what each library's names mean."""
