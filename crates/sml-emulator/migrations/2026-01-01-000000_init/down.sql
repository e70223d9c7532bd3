DROP TABLE migration; DROP TABLE participant; DROP TABLE smp;
