"""Reading a legacy ACDB (Access through MDBTools, an ODBC DSN, or SQL Server) through pyodbc."""
