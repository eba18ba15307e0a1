"""How a newcomer sees one whole quarter played in half a minute."""
