Attribute VB_Name = "KinerjaSettings"
Option Explicit
'
' Settings of the kinerja add-in. They live in xlwings' own user config file (one
' "KEY","value" pair a line, as VBA's Write # writes it), so that one file, written by
' "kinerja excel-setup" or by the Atur Folder and Pilih Langkah buttons, configures both
' xlwings and this add-in, and the Python side (watcher/desk/excel_config.py) reads the same
' values. xlwings ignores keys it does not know and keeps them when its own ribbon saves a
' setting.
'
' Beside the file, the folder "kinerja" is where Kirim leaves the copy for Python.

Public Const ROOT_KEY As String = "KINERJA_FOLDER"
Public Const STEP_KEY As String = "KINERJA_LANGKAH"
Public Const STEP_NAME_KEY As String = "KINERJA_LANGKAH_NAMA"
Public Const CONF_ENV As String = "KINERJA_XLWINGS_CONF"
Public Const EXCHANGE_NAME As String = "kinerja"
Public Const SEND_COPY_NAME As String = "kirim.xlsx"
Public Const CONF_NAME As String = "xlwings.conf"

' Where xlwings keeps its user config: %USERPROFILE%\.xlwings on Windows; on macOS, Excel's
' sandbox folder, which is what HOME means inside Excel. KINERJA_XLWINGS_CONF overrides both.
Public Function ConfigPath() As String
    Dim overridePath As String
    overridePath = Environ(CONF_ENV)
    If Len(overridePath) > 0 Then
        ConfigPath = overridePath
    ElseIf IsWindows() Then
        ConfigPath = Environ("USERPROFILE") & "\.xlwings\" & CONF_NAME
    Else
        ConfigPath = Environ("HOME") & "/" & CONF_NAME
    End If
End Function

Public Function IsWindows() As Boolean
    IsWindows = (Application.PathSeparator = "\")
End Function

Public Function Separator() As String
    Separator = Application.PathSeparator
End Function

Public Function JoinPath(folder As String, childName As String) As String
    If Right$(folder, 1) = "\" Or Right$(folder, 1) = "/" Then
        JoinPath = folder & childName
    Else
        JoinPath = folder & Separator() & childName
    End If
End Function

Public Function ParentFolder(path As String) As String
    Dim position As Long
    position = InStrRev(path, "\")
    If InStrRev(path, "/") > position Then position = InStrRev(path, "/")
    If position > 1 Then ParentFolder = Left$(path, position - 1)
End Function

Public Function FolderExists(path As String) As Boolean
    FolderExists = False
    If Len(path) = 0 Then Exit Function
    On Error GoTo Unreachable
    FolderExists = ((GetAttr(path) And vbDirectory) = vbDirectory)
    Exit Function
Unreachable:
    FolderExists = False
End Function

Public Function FileExists(path As String) As Boolean
    FileExists = False
    If Len(path) = 0 Then Exit Function
    On Error GoTo Unreachable
    FileExists = ((GetAttr(path) And vbDirectory) = 0)
    Exit Function
Unreachable:
    FileExists = False
End Function

' Remove a file if it is there; False when it is there and cannot be removed.
Public Function RemoveFile(path As String) As Boolean
    RemoveFile = True
    If Not FileExists(path) Then Exit Function
    On Error GoTo Locked
    Kill path
    Exit Function
Locked:
    RemoveFile = False
End Function

Public Sub EnsureFolder(path As String)
    If FolderExists(path) Then Exit Sub
    If Len(ParentFolder(path)) > 0 Then EnsureFolder ParentFolder(path)
    MkDir path
End Sub

' The folder beside the config file where the add-in hands files to Python.
Public Function ExchangeFolder() As String
    Dim folder As String
    folder = JoinPath(ParentFolder(ConfigPath()), EXCHANGE_NAME)
    EnsureFolder folder
    ExchangeFolder = folder
End Function

Public Function ReadSetting(key As String) As String
    Dim keys() As String, values() As String, lines() As String, count As Long, index As Long
    count = ReadAllSettings(keys, values, lines)
    For index = 1 To count
        If keys(index) = key Then ReadSetting = values(index)
    Next index
End Function

' Set one key; every other line is written back exactly as it was (xlwings' own included).
Public Sub WriteSetting(key As String, value As String)
    Dim keys() As String, values() As String, lines() As String, count As Long, index As Long
    Dim found As Boolean, path As String, temporary As String, fileNumber As Integer
    count = ReadAllSettings(keys, values, lines)
    path = ConfigPath()
    EnsureFolder ParentFolder(path)
    temporary = path & ".baru"
    fileNumber = FreeFile
    Open temporary For Output As #fileNumber
    For index = 1 To count
        If keys(index) = key Then
            Write #fileNumber, key, value
            found = True
        Else
            Print #fileNumber, lines(index)
        End If
    Next index
    If Not found Then Write #fileNumber, key, value
    Close #fileNumber
    ' Replace only once the new file is complete: a crash leaves the old one intact.
    If FileExists(path) Then Kill path
    Name temporary As path
End Sub

' Fill keys(1..n), values(1..n) and lines(1..n) (each pair's line as written) from the config
' file; return n (0 when there is no file). Each line is read whole and split here rather than
' with Input #, whose reading of a quoted number is the host's own (LibreOffice's fails on a
' "4" with more lines after it).
Private Function ReadAllSettings(keys() As String, values() As String, lines() As String) As Long
    Dim path As String, fileNumber As Integer, count As Long
    Dim oneLine As String, oneKey As String, oneValue As String
    ReDim keys(0 To 0)
    ReDim values(0 To 0)
    ReDim lines(0 To 0)
    path = ConfigPath()
    If Not FileExists(path) Then Exit Function
    fileNumber = FreeFile
    Open path For Input As #fileNumber
    Do While Not EOF(fileNumber)
        Line Input #fileNumber, oneLine
        oneLine = Trim$(Replace(oneLine, vbCr, ""))
        If SplitSetting(oneLine, oneKey, oneValue) Then
            count = count + 1
            ReDim Preserve keys(0 To count)
            ReDim Preserve values(0 To count)
            ReDim Preserve lines(0 To count)
            keys(count) = oneKey
            values(count) = oneValue
            lines(count) = oneLine
        End If
    Loop
    Close #fileNumber
    ReadAllSettings = count
End Function

' "KEY","value", as Write # writes it, into KEY and value; False for a line that is no pair. A
' value written without quotes (xlwings writes #TRUE#) is taken as it is written.
Private Function SplitSetting(oneLine As String, oneKey As String, oneValue As String) As Boolean
    Dim closing As Long
    SplitSetting = False
    If Left$(oneLine, 1) <> """" Then Exit Function
    closing = InStr(2, oneLine, """,")
    If closing < 3 Then Exit Function
    oneKey = Mid$(oneLine, 2, closing - 2)
    oneValue = Trim$(Mid$(oneLine, closing + 2))
    If Len(oneValue) >= 2 And Left$(oneValue, 1) = """" And Right$(oneValue, 1) = """" Then
        oneValue = Mid$(oneValue, 2, Len(oneValue) - 2)
    End If
    SplitSetting = True
End Function

' The submission this PC sends at, as Python named it from the tree's SOP when it was chosen
' (Pilih Langkah or "kinerja excel-setup"): what it is and who sends it. The add-in reads no SOP;
' Python checks the step against the tree's SOP when it sends.
Public Function StepName() As String
    Dim named As String, stepNumber As String
    named = ReadSetting(STEP_NAME_KEY)
    stepNumber = ReadSetting(STEP_KEY)
    If Len(named) > 0 Then
        StepName = named
    ElseIf Len(stepNumber) = 0 Or stepNumber = "0" Then
        StepName = "langkah kirim pertama SOP"
    Else
        StepName = "langkah " & stepNumber
    End If
End Function
