"""What every area shares and no area owns: work that waits for the commit, the periodic tick."""
