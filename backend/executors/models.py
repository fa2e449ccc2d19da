# The executor keeps no tables: step state lives on runs.StepRun.
