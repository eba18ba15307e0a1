Option Explicit
' Test harness (LibreOffice Basic, application library): opens the clerk's workbook, gives it the
' add-in's modules as a document library in VBA compatibility mode, and runs one entry point.
' The job file named by $KINERJA_UJI_JOB has lines KEY=value: WORKBOOK, MODULE (repeated),
' ENTRY (Module.Procedure) and LOG.

Private logPath As String

Sub Trace(message As String)
    Dim fileNumber As Integer
    fileNumber = FreeFile
    Open logPath For Append As #fileNumber
    Print #fileNumber, message
    Close #fileNumber
End Sub

Function ReadAll(path As String) As String
    Dim fileNumber As Integer, oneLine As String, collected As String
    fileNumber = FreeFile
    Open path For Input As #fileNumber
    Do While Not EOF(fileNumber)
        Line Input #fileNumber, oneLine
        collected = collected & oneLine & Chr(10)
    Loop
    Close #fileNumber
    ReadAll = collected
End Function

Function StemOf(path As String) As String
    ' Plain Basic has no InStrRev: the name after the last "/", without its extension.
    Dim parts() As String, fileName As String
    parts = Split(path, "/")
    fileName = parts(UBound(parts))
    parts = Split(fileName, ".")
    StemOf = parts(0)
End Function

Sub RunJob
    Dim jobLines() As String, oneLine As String, index As Integer, position As Integer
    Dim key As String, valueText As String, workbookPath As String, entry As String
    Dim modulePaths(30) As String, moduleCount As Integer
    Dim loadArgs(1) As New com.sun.star.beans.PropertyValue
    Dim doc As Object, containers As Object, basicLibrary As Object, script As Object
    jobLines = Split(ReadAll(Environ("KINERJA_UJI_JOB")), Chr(10))
    For index = LBound(jobLines) To UBound(jobLines)
        oneLine = jobLines(index)
        position = InStr(oneLine, "=")
        If position > 0 Then
            key = Left(oneLine, position - 1)
            valueText = Mid(oneLine, position + 1)
            If key = "WORKBOOK" Then workbookPath = valueText
            If key = "ENTRY" Then entry = valueText
            If key = "LOG" Then logPath = valueText
            If key = "MODULE" Then
                modulePaths(moduleCount) = valueText
                moduleCount = moduleCount + 1
            End If
        End If
    Next index
    On Error GoTo Failed
    Trace "HARNESS start " & entry
    loadArgs(0).Name = "MacroExecutionMode"
    loadArgs(0).Value = 4
    loadArgs(1).Name = "Hidden"
    loadArgs(1).Value = True
    doc = StarDesktop.loadComponentFromURL(ConvertToURL(workbookPath), "_blank", 0, loadArgs())
    containers = doc.BasicLibraries
    If Not containers.hasByName("Kinerja") Then containers.createLibrary("Kinerja")
    basicLibrary = containers.getByName("Kinerja")
    For index = 0 To moduleCount - 1
        basicLibrary.insertByName(StemOf(modulePaths(index)), ReadAll(modulePaths(index)))
    Next index
    containers.VBACompatibilityMode = True
    script = doc.getScriptProvider().getScript("vnd.sun.star.script:Kinerja." & entry & _
        "?language=Basic&location=document")
    script.invoke(Array(), Array(), Array())
    Trace "HARNESS done"
    doc.close(True)
    Exit Sub
Failed:
    Trace "HARNESS error " & Err & ": " & Error$ & " (line " & Erl & ")"
    ' LibreOffice stays running while a document is open: close it whatever happened.
    If Not IsNull(doc) And Not IsEmpty(doc) Then doc.close(True)
End Sub
