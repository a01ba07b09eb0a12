/* common.cl — helpers shared by every kernel (prepended to each program). */
