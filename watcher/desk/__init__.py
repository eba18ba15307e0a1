"""What a clerk sees at the desk: the Excel add-in, its setup and checks."""
